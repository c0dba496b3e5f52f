/**
 * The whole test suite: `npm test` lands here after installing, building, type-checking and
 * linting. It starts the real services that many test files share (one MariaDB server; each
 * file creates its own database on it), runs every *.test.ts under test/ with node's test
 * runner, and stops what it started.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestMariadb } from './support/mariadb.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv.slice(2);

function findTests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : findTests(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

// Unit tests first (fast feedback), then integration, then end-to-end.
const order = ['unit', 'integration', 'security', 'e2e'];
const files = findTests(join(root, 'test'))
  .filter((file) => only.length === 0 || only.some((part) => relative(root, file).includes(part)))
  .sort(
    (a, b) =>
      order.findIndex((o) => a.includes(`/test/${o}/`)) - order.findIndex((o) => b.includes(`/test/${o}/`)) ||
      a.localeCompare(b),
  );

/**
 * Two lanes, one file at a time in each: the files that make a lab (they hold the one lab of the
 * machine, support/lab-lock.ts, so they never overlap), and all the others. In one runner with
 * two slots, a lab file waiting for the lock would hold a slot idle for the whole of the other
 * lab file (the topology test takes over 20 minutes).
 */
const makesLab = (file: string) => readFileSync(file, 'utf8').includes('holdLab(');
const lanes = [files.filter(makesLab), files.filter((file) => !makesLab(file))].filter(
  (lane) => lane.length > 0,
);

function runLane(lane: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        '--test-reporter=spec',
        '--test-concurrency=1',
        ...lane.map((f) => relative(root, f)),
      ],
      { cwd: root, stdio: 'inherit', env },
    );
    child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
  });
}

const mariadb = await startTestMariadb();
let code = 1;
try {
  console.log(
    `running ${files.length} test files against MariaDB on 127.0.0.1:${mariadb.port}, in ${lanes.length} lanes of ${lanes.map((l) => l.length).join(' and ')}`,
  );
  const env = {
    ...process.env,
    WEBSTACK_TEST_MARIADB_SOCKET: mariadb.socket,
    WEBSTACK_TEST_MARIADB_PORT: String(mariadb.port),
  };
  const codes = await Promise.all(lanes.map((lane) => runLane(lane, env)));
  code = codes.find((c) => c !== 0) ?? 0;
} finally {
  await mariadb.stop();
}
process.exit(code);
