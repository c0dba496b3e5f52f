/**
 * Zero downtime, nothing lost, proven under load: a steady load of reads and writes goes through
 * nginx while the stack is deployed, rolled back, has a worker and then mariadbd SIGKILLed, and is
 * given a release that never becomes ready. Each phase prints requests, failures by status, the
 * longest time without a success, and acknowledged writes missing from the database afterwards.
 *
 * One stack and one load serve every phase, but no phase depends on another: each starts from a
 * healthy stack, sets up what it needs, and is followed by a wait for the stack to be healthy again.
 * So one phase runs alone with, e.g.:
 *   node --import tsx --test --test-name-pattern='a worker SIGKILLed' test/e2e/chaos.test.ts
 */
import assert from 'node:assert/strict';
import { cp, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { adminOverSocket } from '../../src/stack/components/mariadb/index.js';
import { listenHolders } from '../../src/stack/components/nginx/orphans.js';
import { statePaths } from '../../src/stack/core/paths.js';
import { localHost } from '../../src/stack/host/index.js';
import { isSuccess, Load, type PhaseReport, reportPhase } from '../support/load.js';
import { apiLogin, httpRequest, shownPassword } from '../support/nginx.js';
import { createTestStack, type TestStack } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The steady spell after each phase's action: answers of the load (bounded in count and time). */
const STEADY = { gets: 60, posts: 10, timeoutMs: 30_000 };

interface StatusJson {
  release: string | null;
  healthy: boolean;
  components: {
    name: string;
    pid: number | null;
    restarts: number;
    detail: string | null;
    healthy: boolean;
  }[];
}

describe('chaos: deploys, rollbacks and crashes under load lose nothing', { timeout: 600_000 }, () => {
  let stack: TestStack;
  let load: Load;
  const reports: (PhaseReport & { missing: number; recoveryMs?: number })[] = [];

  const status = async (): Promise<StatusJson> =>
    JSON.parse((await stack.run(['status', '--json'])).stdout) as StatusJson;
  const component = (s: StatusJson, name: string) => s.components.find((c) => c.name === name);

  /** Waits until every component is healthy and the site answers through nginx; returns that status. */
  const healthyStack = (): Promise<StatusJson> =>
    waitFor(
      async () => {
        const current = await status();
        if (!current.healthy || !current.components.every((c) => c.healthy)) return false;
        return (await httpRequest({ port: stack.httpPort, path: '/' })).status === 200 && current;
      },
      { what: 'a healthy stack', timeoutMs: 60_000, intervalMs: 200 },
    );

  /** Waits until the load has had `gets` reads and `posts` writes answered in `phase` after `since`. */
  const loadAnswered = (
    phase: string,
    since: number,
    counts: { gets: number; posts: number; timeoutMs: number },
  ) =>
    waitFor(
      () => {
        const mine = load.samples.filter((s) => s.phase === phase && s.endedAt > since);
        const gets = mine.filter((s) => s.method === 'GET').length;
        const posts = mine.length - gets;
        return gets >= counts.gets && posts >= counts.posts;
      },
      {
        what: `${counts.gets} reads and ${counts.posts} writes of the load in "${phase}"`,
        timeoutMs: counts.timeoutMs,
      },
    );

  async function missingWrites(): Promise<number> {
    const connection = await mysql.createConnection({
      ...adminOverSocket(statePaths(stack.stateDir).mariadb.socket),
      database: 'foobar',
    });
    try {
      const [rows] = await connection.query<RowDataPacket[]>(
        'SELECT title FROM articles WHERE title LIKE ?',
        [`chaos ${process.pid} write %`],
      );
      const stored = new Set(rows.map((row) => String(row.title)));
      return load.acknowledged.filter((title) => !stored.has(title)).length;
    } finally {
      await connection.end();
    }
  }

  /** Runs one phase under load: the action, then a steady spell of the load, then the report. */
  async function phase(name: string, action: () => Promise<void>) {
    load.phase = name;
    const from = Date.now();
    await action();
    await loadAnswered(name, Date.now(), STEADY);
    load.phase = 'between';
    const report = { ...reportPhase(load.samples, name, from, Date.now()), missing: await missingWrites() };
    reports.push(report);
    return report;
  }

  /** A release copy: the checkout's built dist with the same lock file (dependencies are hard-linked). */
  async function releaseCopy(name: string): Promise<string> {
    const dir = join(stack.dir, name);
    for (const item of ['dist', 'package.json', 'package-lock.json'])
      await cp(join(root, item), join(dir, item), { recursive: true });
    return dir;
  }

  before(async () => {
    // Stacks run side by side on this machine: any loopback metrics port must be chosen free.
    stack = await createTestStack({ metrics: { port: 0 } });
    const up = await stack.up();
    assert.equal(up.code, 0, up.stderr + up.stdout);
    const added = await stack.run(['user', 'add', '--email', 'chaos@example.com', '--role', 'editor']);
    assert.equal(added.code, 0, added.stderr);
    const { cookie, csrfToken } = await apiLogin(
      { port: stack.httpPort },
      'chaos@example.com',
      shownPassword(added.stdout),
    );
    load = new Load({
      port: stack.httpPort,
      host: 'www.foobar.com',
      readers: 3,
      readPaths: ['/', '/articles', '/api/v1/articles', '/products'],
      pauseMs: 20,
      cookie,
      csrfToken,
    });
    load.start();
    await loadAnswered('warm-up', 0, { gets: 30, posts: 5, timeoutMs: 30_000 });
    const warm = load.samples.filter((s) => s.phase === 'warm-up');
    assert.ok(
      warm.length > 0 && warm.every(isSuccess),
      `warm-up failures: ${JSON.stringify(warm.filter((s) => !isSuccess(s)).slice(0, 5))}`,
    );
  });

  beforeEach(async () => {
    await healthyStack();
  });

  // Whatever a phase did (a crash, a restart), the next one starts from a healthy stack again.
  afterEach(async () => {
    load.phase = 'between';
    await healthyStack();
  });

  after(async () => {
    await load?.stop();
    const rows = reports.map((r) => [
      r.phase,
      String(r.requests),
      Object.entries(r.failures)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ') || '-',
      `${r.longestGapMs} ms`,
      `${r.slowestFailureMs} ms`,
      String(r.missing),
      r.recoveryMs === undefined ? '-' : `${r.recoveryMs} ms`,
    ]);
    const header = [
      'phase',
      'requests',
      'failures',
      'longest gap',
      'slowest failure',
      'missing writes',
      'recovery',
    ];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
    console.log(['', line(header), ...rows.map(line), ''].join('\n'));
    if (reports.some((r) => Object.keys(r.failures).length > 0)) {
      const errors = await readFile(join(stack.stateDir, 'logs', 'nginx-error.log'), 'utf8').catch(() => '');
      console.log(
        errors
          .split('\n')
          .filter((l) => l.includes('upstream'))
          .slice(-20)
          .join('\n'),
      );
    }
    await stack?.destroy();
  });

  test('(a) a deploy under load fails no request; a second deploy at the same time is refused', async () => {
    const previous = (await status()).release;
    const dir = await releaseCopy('release-a');
    let deployed = '';
    const report = await phase('a deploy', async () => {
      const [one, two] = await Promise.all([
        stack.run(['deploy', '--no-build', dir]),
        stack.run(['deploy', '--no-build', dir]),
      ]);
      const results = [one, two];
      assert.equal(results.filter((r) => r.code === 0).length, 1, JSON.stringify(results));
      assert.match(results.find((r) => r.code !== 0)?.stderr ?? '', /DEPLOY_LOCKED/);
      deployed = (await status()).release ?? '';
    });
    assert.notEqual(deployed, previous);
    assert.deepEqual(report.failures, {});
    assert.equal(report.missing, 0);
    const records = (await readFile(join(stack.stateDir, 'deploys.jsonl'), 'utf8')).trim().split('\n');
    const last = JSON.parse(records.at(-1) ?? '{}') as { action: string; result: string; release: string };
    assert.deepEqual([last.action, last.result, last.release], ['deploy', 'ok', deployed]);
  });

  test('(b) a rollback under load fails no request and returns to the release before the deploy', async () => {
    // Set-up (not measured): a deploy to roll back.
    const previous = (await status()).release;
    const deployed = await stack.run(['deploy', '--no-build', await releaseCopy('release-b')]);
    assert.equal(deployed.code, 0, deployed.stderr);
    assert.notEqual((await healthyStack()).release, previous);
    const report = await phase('b rollback', async () => {
      const result = await stack.run(['rollback']);
      assert.equal(result.code, 0, result.stderr);
    });
    assert.equal((await status()).release, previous);
    assert.deepEqual(report.failures, {});
    assert.equal(report.missing, 0);
  });

  test('(c) a worker SIGKILLed under load fails no GET and is replaced', async () => {
    const before = component(await status(), 'appserver');
    const pids =
      (before?.detail ?? '')
        .match(/pids ([\d ]+)/)?.[1]
        ?.trim()
        .split(' ')
        .map(Number) ?? [];
    const victim = pids[0];
    assert.ok(victim, `no worker pid in ${before?.detail}`);
    const report = await phase('c kill worker', async () => {
      process.kill(victim, 'SIGKILL');
      await waitFor(
        async () => {
          const app = component(await status(), 'appserver');
          return app?.healthy === true && !(app.detail ?? '').includes(String(victim));
        },
        { what: 'the worker to be replaced' },
      );
    });
    assert.equal(report.failedGets, 0, JSON.stringify(report.failures));
    assert.equal(report.missing, 0);
  });

  test('(d) mariadbd SIGKILLed: only 503s meanwhile, and it recovers by itself', async () => {
    const db = component(await status(), 'mariadb');
    assert.ok(db?.pid, 'no mariadbd pid');
    let killedAt = 0;
    const report = await phase('d kill mariadbd', async () => {
      killedAt = Date.now();
      process.kill(db.pid as number, 'SIGKILL');
      // Recovered: a new mariadbd is healthy and a write of the load (never micro-cached, unlike a
      // GET of /articles) that began after the kill has succeeded.
      await waitFor(
        async () => {
          const wrote = load.samples.some(
            (s) => s.method === 'POST' && isSuccess(s) && s.endedAt - s.ms > killedAt,
          );
          const now = component(await status(), 'mariadb');
          return wrote && now?.healthy === true && now.pid !== db.pid;
        },
        { what: 'the database and the site to recover', timeoutMs: 30_000 },
      );
    });
    const mine = load.samples.filter((s) => s.phase === 'd kill mariadbd');
    const failed = mine.filter((s) => !isSuccess(s));
    const lastFailure = Math.max(killedAt, ...failed.map((s) => s.endedAt));
    const recovered = mine.filter((s) => isSuccess(s) && s.endedAt > lastFailure).map((s) => s.endedAt);
    // How fast the 503s came and how long recovery took are printed in the table (speed is for bench/).
    reports[reports.length - 1] = { ...report, recoveryMs: Math.min(...recovered) - killedAt };
    assert.deepEqual(
      failed.filter((s) => s.status !== 503),
      [],
      'every failure is a 503',
    );
    assert.ok(recovered.length > 0, 'the load succeeds again after the last failure');
    assert.equal(report.missing, 0);
    const after = component(await status(), 'mariadb');
    assert.ok((after?.restarts ?? 0) > (db.restarts ?? 0));
  });

  test('(e) a release that fails its health check is never switched to', async () => {
    const dir = await releaseCopy('release-broken');
    // The broken release's workers start but /readyz never answers 200.
    const entry = join(dir, 'dist/site/entry.js');
    await rename(entry, join(dir, 'dist/site/entry-real.js'));
    await writeFile(
      entry,
      [
        "import { start as startReal } from './entry-real.js';",
        'export async function start(settings) {',
        "  console.log('chaos: this release answers 503 on /readyz');",
        '  const site = await startReal(settings);',
        "  return { close: site.close, probe: async (path) => (path === '/readyz' ? 503 : site.probe(path)) };",
        '}',
        '',
      ].join('\n'),
    );
    const previous = (await status()).release;
    let result = { code: 0, stdout: '', stderr: '' };
    const report = await phase('e broken deploy', async () => {
      result = await stack.run(['deploy', '--no-build', dir]);
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /did not become ready/);
    assert.match(result.stderr, /chaos: this release answers 503 on \/readyz/);
    assert.equal((await status()).release, previous);
    assert.deepEqual(report.failures, {});
    assert.equal(report.missing, 0);
    const records = (await readFile(join(stack.stateDir, 'deploys.jsonl'), 'utf8')).trim().split('\n');
    assert.equal((JSON.parse(records.at(-1) ?? '{}') as { result: string }).result, 'failed');
  });

  test('(f) the nginx master SIGKILLed is restarted, its orphaned workers stopped first', async () => {
    const before = component(await status(), 'nginx');
    assert.ok(before?.pid, 'no nginx pid');
    const report = await phase('f kill nginx', async () => {
      process.kill(before.pid as number, 'SIGKILL');
      await waitFor(
        async () => {
          const nginx = component(await status(), 'nginx');
          return nginx?.healthy === true && nginx.pid !== before.pid;
        },
        { what: 'nginx to be restarted' },
      );
    });
    assert.ok((component(await status(), 'nginx')?.restarts ?? 0) > before.restarts);
    assert.equal((await httpRequest({ port: stack.httpPort, path: '/' })).status, 200);
    assert.equal(report.missing, 0);
    // Nothing of the killed master lives on (its workers and its cache manager): every nginx
    // process with this stack's error log open is the new master or one of its children.
    const master = component(await status(), 'nginx')?.pid;
    const errorLog = statePaths(stack.stateDir).nginx.errorLog;
    const holders = await listenHolders(localHost, stack.httpPort, 'nginx', errorLog);
    assert.ok(
      master && holders.includes(master),
      `the new master ${master} is not among ${holders.join(' ')}`,
    );
    for (const pid of holders.filter((holder) => holder !== master)) {
      const ppid = Number((await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ')[1]);
      assert.equal(ppid, master, `nginx process ${pid} (parent ${ppid}) outlived its master`);
    }
  });
});
