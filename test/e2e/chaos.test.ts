/**
 * Zero downtime, nothing lost, proven under load: a steady load of reads and writes goes through
 * nginx while the stack is deployed, rolled back, has a worker and then mariadbd SIGKILLed, and is
 * given a release that never becomes ready. Each phase prints requests, failures by status, the
 * longest time without a success, and acknowledged writes missing from the database afterwards.
 */
import assert from 'node:assert/strict';
import { cp, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { adminOverSocket } from '../../src/stack/components/mariadb/index.js';
import { listenHolders } from '../../src/stack/components/nginx/orphans.js';
import { ConfigSchema } from '../../src/stack/core/config/schema.js';
import { statePaths } from '../../src/stack/core/paths.js';
import { localHost } from '../../src/stack/host/index.js';
import { isSuccess, Load, type PhaseReport, reportPhase } from '../support/load.js';
import { httpRequest } from '../support/nginx.js';
import { createTestStack, type TestStack } from '../support/stack.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

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

describe('chaos: deploys, rollbacks and crashes under load lose nothing', { timeout: 240_000 }, () => {
  let stack: TestStack;
  let load: Load;
  let firstRelease: string | null = null;
  const reports: (PhaseReport & { missing: number; recoveryMs?: number })[] = [];

  const status = async (): Promise<StatusJson> =>
    JSON.parse((await stack.run(['status', '--json'])).stdout) as StatusJson;
  const component = (s: StatusJson, name: string) => s.components.find((c) => c.name === name);

  async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check().catch(() => false)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail(`timed out waiting for ${what}`);
  }

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

  /** Runs one phase under load: the action, then a short steady spell, then the report. */
  async function phase(name: string, action: () => Promise<void>) {
    load.phase = name;
    const from = Date.now();
    await action();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
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
    stack = await createTestStack('metrics' in ConfigSchema.properties ? { metrics: { port: 0 } } : {});
    const up = await stack.up();
    assert.equal(up.code, 0, up.stderr + up.stdout);
    firstRelease = (await status()).release;
    const added = await stack.run(['user', 'add', '--email', 'chaos@example.com', '--role', 'editor']);
    assert.equal(added.code, 0, added.stderr);
    const password = added.stdout.match(/password \(shown once\): (\S+)/)?.[1];
    assert.ok(password, added.stdout);
    const login = await httpRequest({
      port: stack.httpPort,
      path: '/api/v1/session',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'chaos@example.com', password }),
    });
    assert.equal(login.status, 200, login.body);
    const cookie = ([] as string[])
      .concat(login.headers['set-cookie'] ?? [])
      .map((c) => c.split(';')[0])
      .join('; ');
    const { csrfToken } = JSON.parse(login.body) as { csrfToken: string };
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
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const warm = load.samples.filter((s) => s.phase === 'warm-up');
    assert.ok(
      warm.length > 0 && warm.every(isSuccess),
      `warm-up failures: ${JSON.stringify(warm.filter((s) => !isSuccess(s)).slice(0, 5))}`,
    );
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
      String(r.missing),
      r.recoveryMs === undefined ? '-' : `${r.recoveryMs} ms`,
    ]);
    const header = ['phase', 'requests', 'failures', 'longest gap', 'missing writes', 'recovery'];
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
    assert.notEqual(deployed, firstRelease);
    assert.deepEqual(report.failures, {});
    assert.equal(report.missing, 0);
    const records = (await readFile(join(stack.stateDir, 'deploys.jsonl'), 'utf8')).trim().split('\n');
    const last = JSON.parse(records.at(-1) ?? '{}') as { action: string; result: string; release: string };
    assert.deepEqual([last.action, last.result, last.release], ['deploy', 'ok', deployed]);
  });

  test('(b) a rollback under load fails no request and returns to the first release', async () => {
    const report = await phase('b rollback', async () => {
      const result = await stack.run(['rollback']);
      assert.equal(result.code, 0, result.stderr);
    });
    assert.equal((await status()).release, firstRelease);
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
      await until('the worker to be replaced', async () => {
        const app = component(await status(), 'appserver');
        return app?.healthy === true && !(app.detail ?? '').includes(String(victim));
      });
    });
    assert.equal(report.failedGets, 0, JSON.stringify(report.failures));
    assert.equal(report.missing, 0);
  });

  test('(d) mariadbd SIGKILLed: only fast 503s meanwhile, recovery by itself within 10 s', async () => {
    const db = component(await status(), 'mariadb');
    assert.ok(db?.pid, 'no mariadbd pid');
    let killedAt = 0;
    const report = await phase('d kill mariadbd', async () => {
      killedAt = Date.now();
      process.kill(db.pid as number, 'SIGKILL');
      await until(
        'the database and the site to recover',
        async () => (await httpRequest({ port: stack.httpPort, path: '/articles' })).status === 200,
        20_000,
      );
    });
    const mine = load.samples.filter((s) => s.phase === 'd kill mariadbd');
    const failed = mine.filter((s) => !isSuccess(s));
    const lastFailure = Math.max(killedAt, ...failed.map((s) => s.endedAt));
    const recovered = mine.filter((s) => isSuccess(s) && s.endedAt > lastFailure).map((s) => s.endedAt);
    reports[reports.length - 1] = { ...report, recoveryMs: Math.min(...recovered) - killedAt };
    assert.deepEqual(
      failed.filter((s) => s.status !== 503 || s.ms >= 1_000),
      [],
      'every failure is a 503 answered in under a second',
    );
    assert.ok(
      Math.min(...recovered) - killedAt < 10_000,
      `recovered after ${Math.min(...recovered) - killedAt} ms`,
    );
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
    let result = { code: 0, stdout: '', stderr: '' };
    const report = await phase('e broken deploy', async () => {
      result = await stack.run(['deploy', '--no-build', dir]);
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /did not become ready/);
    assert.match(result.stderr, /chaos: this release answers 503 on \/readyz/);
    assert.equal((await status()).release, firstRelease);
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
      await until('nginx to be restarted', async () => {
        const nginx = component(await status(), 'nginx');
        return nginx?.healthy === true && nginx.pid !== before.pid;
      });
    });
    assert.ok((component(await status(), 'nginx')?.restarts ?? 0) > before.restarts);
    assert.equal((await httpRequest({ port: stack.httpPort, path: '/' })).status, 200);
    assert.equal(report.missing, 0);
    // Nothing of the killed master lives on (its workers and its cache manager): every nginx
    // process with this stack's error log open is the new master or one of its children.
    const master = component(await status(), 'nginx')?.pid;
    const errorLog = statePaths(stack.stateDir).nginx.errorLog;
    const holders = await listenHolders(localHost, stack.httpPort, 'nginx', errorLog);
    assert.ok(holders.length > 0);
    for (const pid of holders) {
      const ppid = Number((await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ')[1]);
      assert.ok(
        pid === master || ppid === master,
        `nginx process ${pid} (parent ${ppid}) outlived its master`,
      );
    }
  });
});
