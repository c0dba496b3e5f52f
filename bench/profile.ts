/**
 * `node --import tsx bench/profile.ts [articles|api|member|home] [seconds]`: where a worker's time
 * goes. Starts a private MariaDB with the bench's data set, runs ONE site worker from the build
 * (dist/site/entry.js, as the app server does) under `node --cpu-prof`, loads it directly with wrk
 * (no Nginx: the profile is the worker's alone), and prints the top frames by self time.
 * Needs `npm run build` first. Prints numbers, asserts nothing.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createConnection } from 'mysql2/promise';
import type { SiteSettings } from '../src/contract.js';
import { createDb } from '../src/site/database/database.js';
import { migrateToLatest } from '../src/site/database/migrator.js';
import { startTestMariadb } from '../test/support/mariadb.js';
import { freePort } from '../test/support/ports.js';
import { BENCH_EMAILS, ensureAccount, loadData, publishedSlugs } from './db.js';
import { logIn } from './http.js';
import { type CpuProfile, topFrames, topPackages } from './profile-frames.js';
import { runWrk, SCENARIO_SCRIPT } from './wrk.js';

const [what = 'articles', secondsArg = '10'] = process.argv.slice(2);
const seconds = Number(secondsArg);
const checkout = new URL('..', import.meta.url);
const entry = new URL('dist/site/entry.js', checkout);

const server = await startTestMariadb();
const dir = await mkdtemp(join(tmpdir(), 'webstack-profile-'));
try {
  const database = await server.createDatabase('prof');
  const migrator = createDb({ url: database.migratorUrl, password: database.migratorPassword, poolSize: 2 });
  await migrateToLatest(migrator).finally(() => migrator.destroy());
  const conn = await createConnection({
    socketPath: server.socket,
    user: database.appUser,
    password: database.appPassword,
    database: database.name,
    timezone: 'Z',
    charset: 'utf8mb4_unicode_ci',
  });
  const member = await ensureAccount(conn, BENCH_EMAILS.member, 'member');
  const editor = await ensureAccount(conn, BENCH_EMAILS.editor, 'editor');
  await loadData(conn, { articles: 10_000, products: 100 }, editor.id);
  const slugs = await publishedSlugs(conn, 20_000);
  await conn.end();

  const port = await freePort();
  const settings: SiteSettings = {
    databaseUrl: database.url,
    databasePassword: database.appPassword,
    sessionSecret: 'profile-session-secret-0123456789abcdef0123456789',
    uploadsDir: join(dir, 'uploads'),
    uploadMaxBytes: 1024 * 1024,
    publicUrl: 'http://www.foobar.com',
    dbPoolSize: 10,
    logLevel: 'info',
    release: 'profile',
    port,
    host: '127.0.0.1',
  };
  // The profiler runs from the first request to the last (start-up and shutdown left out).
  const out = join(dir, 'worker.cpuprofile');
  const script =
    "import { Session } from 'node:inspector/promises'; import { writeFileSync } from 'node:fs';" +
    `const { start } = await import(${JSON.stringify(entry.href)});` +
    'const site = await start(JSON.parse(process.env.PROFILE_SETTINGS));' +
    'const session = new Session(); session.connect();' +
    "await session.post('Profiler.enable'); await site.listen(); await session.post('Profiler.start');" +
    "console.log('ready');" +
    "process.on('SIGINT', async () => { const { profile } = await session.post('Profiler.stop');" +
    `writeFileSync(${JSON.stringify(out)}, JSON.stringify(profile)); await site.close(); process.exit(0); });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, PROFILE_SETTINGS: JSON.stringify(settings) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the site exited with ${code}`)));
  });
  const target = { port, host: 'www.foobar.com' };
  const paths = join(dir, 'paths.txt');
  const lines =
    what === 'api'
      ? slugs.map((s) => `/api/v1/articles/${s}`)
      : what === 'home'
        ? ['/']
        : slugs.map((s) => `/articles/${s}`);
  await writeFile(paths, `${lines.join('\n')}\n`);
  const env: Record<string, string> = { BENCH_PATHS: paths };
  if (what === 'member') {
    const session = await logIn(target, member.email, member.password);
    env.BENCH_COOKIE = session.cookie;
  }
  const result = await runWrk(
    {
      url: `http://127.0.0.1:${port}`,
      host: target.host,
      durationSeconds: seconds,
      connections: 32,
      threads: 1,
      timeoutSeconds: 10,
      script: SCENARIO_SCRIPT,
    },
    env,
    () => {},
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
  const profile = JSON.parse(await readFile(out, 'utf8')) as CpuProfile;
  if (process.env.PROFILE_KEEP) await writeFile(process.env.PROFILE_KEEP, JSON.stringify(profile));
  console.log(
    `${what}: ${(result.requests / (result.durationUs / 1e6)).toFixed(0)} req/s, p99 ${(result.p99Us / 1000).toFixed(1)} ms, ` +
      `${result.statusErrors} errors (one worker, wrk -c32, no Nginx)`,
  );
  const root = checkout.href;
  console.log(`top frames by self time:\n${topFrames(profile, 15, root).join('\n')}`);
  console.log(`by package or file:\n${topPackages(profile, 15, root).join('\n')}`);
} finally {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
