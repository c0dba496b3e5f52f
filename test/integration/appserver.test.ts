import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AppServer, type AppServerOptions, WorkerFailed } from '../../src/stack/components/appserver/pool.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/sites/${name}`, import.meta.url));
const workerScript = {
  path: fileURLToPath(new URL('../../src/stack/components/appserver/worker.ts', import.meta.url)),
  execArgv: ['--import', 'tsx'],
};

function baseSettings(port: number): AppServerOptions['settings'] {
  return {
    databaseUrl: 'mysql://site@127.0.0.1:1/site',
    databasePassword: 'test-password',
    sessionSecret: 'test-session-secret',
    uploadsDir: '/nonexistent',
    uploadMaxBytes: 1024,
    publicUrl: 'http://www.foobar.com',
    dbPoolSize: 1,
    logLevel: 'info',
    port,
    host: '127.0.0.1',
  };
}

/** An application server on a free loopback port (unless `overrides.settings` names one), stopped after the test. */
async function startAppServer(
  t: { after: (fn: () => Promise<void>) => void },
  overrides: Partial<AppServerOptions> = {},
) {
  const output: string[] = [];
  const logged: string[] = [];
  const options: AppServerOptions = {
    releaseDir: fixture('good-v1'),
    release: 'v1',
    workers: 2,
    settings: baseSettings(await freePort()),
    log: (line) => logged.push(line),
    output: (line) => output.push(line),
    workerScript,
    readyTimeoutMs: 5_000,
    ...overrides,
  };
  const server = new AppServer(options);
  t.after(() => server.stop());
  await server.start();
  return { server, port: options.settings.port, output, logged };
}

interface Answer {
  status: number;
  body: string;
}

function get(port: number, path: string, agent: http.Agent | false = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

/**
 * Steady keep-alive load until `done` settles (bounded in count): what Nginx's upstream
 * connections look like to the application server.
 */
async function loadDuring<T>(port: number, done: Promise<T>) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  let finished = false;
  const settled = done.then(
    () => {
      finished = true;
    },
    () => {
      finished = true;
    },
  );
  const answers: Answer[] = [];
  const failures: string[] = [];
  const loop = async () => {
    while (!finished && answers.length + failures.length < 50_000) {
      try {
        answers.push(await get(port, '/', agent));
      } catch (error) {
        failures.push(String(error));
      }
    }
  };
  await Promise.all([loop(), loop(), loop(), loop(), settled]);
  agent.destroy();
  return {
    answers,
    failures,
    rejected: await done.then(
      () => null,
      (error: unknown) => error,
    ),
  };
}

const pidOf = (answer: Answer) => answer.body.trim().split(' ').at(-1);

test('two workers share the port and both answer', { timeout: 60_000 }, async (t) => {
  const { server, port } = await startAppServer(t);
  const answers = await Promise.all(Array.from({ length: 20 }, () => get(port, '/')));
  assert.ok(answers.every((answer) => answer.status === 200 && answer.body.startsWith('v1 ')));
  const status = await server.status();
  assert.equal(status.release, 'v1');
  assert.equal(status.workers.length, 2);
  for (const worker of status.workers) {
    assert.deepEqual([worker.state, worker.release, worker.health, worker.ready], ['ready', 'v1', 200, 200]);
  }
  const pids = new Set(status.workers.map((worker) => String(worker.pid)));
  assert.ok(answers.every((answer) => pids.has(pidOf(answer) ?? '')));
});

test('worker output reaches the output sink, without the secrets', { timeout: 60_000 }, async (t) => {
  const { server, output, logged } = await startAppServer(t);
  await server.deploy(fixture('good-v2'), 'v2');
  await server.stop();
  const started = output.filter((line) => line.includes('"msg":"site started"'));
  assert.equal(started.length, 4);
  assert.ok(logged.some((line) => line.includes('release v2 serves on all workers')));
  for (const line of [...output, ...logged]) assert.doesNotMatch(line, /test-password|test-session-secret/);
});

test("a worker sees the site's variables and the basics, not the rest of the supervisor's environment", {
  timeout: 60_000,
}, async (t) => {
  const nodeEnv = process.env.NODE_ENV;
  process.env.OPERATOR_TOKEN = 'only-for-the-supervisor';
  process.env.NODE_ENV = 'production';
  t.after(() => {
    delete process.env.OPERATOR_TOKEN;
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  });
  const { port } = await startAppServer(t, { workers: 1 });
  const answer = await get(port, '/env');
  assert.equal(answer.status, 200);
  const names: string[] = JSON.parse(answer.body);
  assert.ok(!names.includes('OPERATOR_TOKEN'), answer.body);
  for (const name of ['PATH', 'NODE_ENV', 'WEBSTACK_RELEASE', 'WEBSTACK_RELEASE_DIR']) {
    assert.ok(names.includes(name), `${name} missing from ${answer.body}`);
  }
  const allowed =
    /^(WEBSTACK_\w+|NODE_ENV|NODE_CHANNEL_FD|NODE_CHANNEL_SERIALIZATION_MODE|PATH|LANG|LC_ALL|TZ)$/;
  assert.deepEqual(
    names.filter((name) => !allowed.test(name)),
    [],
  );
});

test('a killed worker is replaced while the other keeps answering', { timeout: 60_000 }, async (t) => {
  const { server, port } = await startAppServer(t);
  const [victim, survivor] = (await server.status()).workers;
  assert.ok(victim?.pid && survivor?.pid);
  process.kill(victim.pid, 'SIGKILL');
  // Once the supervisor has seen the death, every new connection goes to the survivor.
  await waitFor(async () => (await server.status()).restarts === 1, {
    what: 'the death to be noticed',
    intervalMs: 50,
  });
  const during = await Promise.all(Array.from({ length: 20 }, () => get(port, '/')));
  assert.ok(during.every((answer) => answer.status === 200));
  const status = await waitFor(
    async () => {
      const current = await server.status();
      return current.workers.every((worker) => worker.state === 'ready') && current;
    },
    { what: 'a ready replacement', intervalMs: 50 },
  );
  assert.equal(status.restarts, 1);
  const pids = status.workers.map((worker) => worker.pid);
  assert.ok(pids.includes(survivor.pid) && !pids.includes(victim.pid));
  assert.equal(status.workers.find((worker) => worker.pid !== survivor.pid)?.restarts, 1);
});

test('deploy replaces every worker under keep-alive load without a failed request', {
  timeout: 90_000,
}, async (t) => {
  const { server, port } = await startAppServer(t);
  const { answers, failures, rejected } = await loadDuring(port, server.deploy(fixture('good-v2'), 'v2'));
  assert.equal(rejected, null);
  assert.deepEqual(failures, []);
  assert.ok(answers.length > 0 && answers.every((answer) => answer.status === 200));
  assert.ok(
    answers.some((answer) => answer.body.startsWith('v1 ')),
    'the load ran before the switch',
  );
  const after = await Promise.all(Array.from({ length: 20 }, () => get(port, '/')));
  assert.ok(after.every((answer) => answer.body.startsWith('v2 ')));
  const status = await server.status();
  assert.equal(status.release, 'v2');
  assert.deepEqual(
    status.workers.map((worker) => [worker.release, worker.state]),
    [
      ['v2', 'ready'],
      ['v2', 'ready'],
    ],
  );
});

for (const bad of ['unready', 'crashing']) {
  test(`a deploy of a release that is ${bad} fails and v1 keeps serving`, { timeout: 90_000 }, async (t) => {
    const { server, port } = await startAppServer(t);
    const before = (await server.status()).workers.map((worker) => worker.pid);
    const { answers, failures, rejected } = await loadDuring(port, server.deploy(fixture(bad), bad));
    assert.ok(rejected instanceof WorkerFailed, `deploy threw ${String(rejected)}`);
    assert.equal(rejected.code, 'DEPLOY_NOT_READY');
    if (bad === 'unready') assert.match(rejected.message, /\/readyz answered 503/);
    else {
      assert.match(rejected.message, /boom in start\(\)/);
      assert.ok(rejected.lastLines.some((line) => line.includes('cannot open the pool')));
    }
    assert.deepEqual(failures, []);
    assert.ok(answers.every((answer) => answer.status === 200));
    const after = await Promise.all(Array.from({ length: 20 }, () => get(port, '/')));
    assert.ok(after.every((answer) => answer.body.startsWith('v1 ')));
    const status = await server.status();
    assert.equal(status.release, 'v1');
    assert.deepEqual(
      status.workers.map((worker) => worker.pid),
      before,
    );
  });
}

test('a crash loop is backed off', { timeout: 60_000 }, async (t) => {
  const initialMs = 200;
  const { server, logged } = await startAppServer(t, {
    releaseDir: fixture('flapping'),
    release: 'flapping',
    workers: 1,
    backoff: { initialMs, maxMs: 30_000, resetAfterMs: 30_000 },
  });
  const delays = () =>
    logged.flatMap((line) => {
      const ms = /exited; replacing it in (\d+) ms/.exec(line)?.[1];
      return ms === undefined ? [] : [Number(ms)];
    });
  // Each restart of the streak waits twice as long as the one before (no clock is read here).
  await waitFor(() => delays().length >= 3, { what: 'three restarts of the crashing worker' });
  await server.stop();
  const { restarts } = await server.status();
  assert.equal(restarts, delays().length, 'one logged delay per restart');
  assert.deepEqual(
    delays(),
    delays().map((_, n) => initialMs * 2 ** n),
  );
  assert.deepEqual(delays().slice(0, 3), [200, 400, 800]);
});

test('stop waits for an in-flight request', { timeout: 60_000 }, async (t) => {
  const { server, port } = await startAppServer(t);
  const events: string[] = [];
  const slow = new Promise<string>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/slow?ms=1500', agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (!body) events.push('headers');
          body += chunk;
        });
        res.on('end', () => {
          events.push('body');
          resolve(body);
        });
      })
      .on('error', reject);
  });
  await waitFor(() => events.includes('headers'), {
    what: 'the slow request to be in flight',
    intervalMs: 50,
  });
  await server.stop();
  events.push('stopped');
  assert.match(await slow, /^v1 slow \d+\ndone\n$/);
  assert.deepEqual(events, ['headers', 'body', 'stopped']);
  await assert.rejects(get(port, '/'), /ECONNREFUSED/);
});

test('a deploy that fails half-way gives the switched workers back to v1', { timeout: 90_000 }, async (t) => {
  const uploadsDir = await mkdtemp(join(tmpdir(), 'appserver-'));
  t.after(() => rm(uploadsDir, { recursive: true, force: true }));
  const { server, port, output } = await startAppServer(t, {
    settings: { ...baseSettings(await freePort()), uploadsDir },
  });
  const { answers, failures, rejected } = await loadDuring(
    port,
    server.deploy(fixture('first-only'), 'first-only'),
  );
  assert.ok(rejected instanceof WorkerFailed, `deploy threw ${String(rejected)}`);
  assert.deepEqual(failures, []);
  assert.ok(answers.every((answer) => answer.status === 200));
  // Two first-only workers (the second never ready), then one v1 worker to take the first slot back.
  const started = (release: string) =>
    output.filter((line) => line.includes(`"release":"${release}"`)).length;
  assert.deepEqual([started('first-only'), started('v1')], [2, 3]);
  const after = await Promise.all(Array.from({ length: 20 }, () => get(port, '/')));
  assert.ok(after.every((answer) => answer.body.startsWith('v1 ')));
  const status = await server.status();
  assert.equal(status.release, 'v1');
  assert.deepEqual(
    status.workers.map((worker) => [worker.release, worker.state]),
    [
      ['v1', 'ready'],
      ['v1', 'ready'],
    ],
  );
});

test('stop kills a worker that does not drain in time', { timeout: 60_000 }, async (t) => {
  const { server, port } = await startAppServer(t, { drainTimeoutMs: 300 });
  const pids = (await server.status()).workers.map((worker) => worker.pid ?? 0);
  const hung = get(port, '/block').catch((error: unknown) => error);
  // A worker whose event loop is blocked no longer answers its probes.
  await waitFor(async () => (await server.status()).workers.some((worker) => worker.health === null), {
    what: 'a hung worker',
    intervalMs: 50,
  });
  await server.stop();
  assert.ok((await hung) instanceof Error);
  for (const pid of pids) assert.throws(() => process.kill(pid, 0), /ESRCH/);
});
