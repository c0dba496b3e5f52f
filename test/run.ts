/**
 * The whole test suite: `npm test` lands here after installing, building, type-checking and
 * linting. It starts the real services that many test files share (one MariaDB server; each
 * file creates its own database on it), runs every *.test.ts under test/ with node's test
 * runner, and stops what it started.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
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

const mariadb = await startTestMariadb();
let code = 1;
try {
  console.log(`running ${files.length} test files against MariaDB on 127.0.0.1:${mariadb.port}`);
  code = await new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        '--test-reporter=spec',
        '--test-concurrency=2',
        ...files.map((f) => relative(root, f)),
      ],
      {
        cwd: root,
        stdio: 'inherit',
        env: {
          ...process.env,
          WEBSTACK_TEST_MARIADB_SOCKET: mariadb.socket,
          WEBSTACK_TEST_MARIADB_PORT: String(mariadb.port),
        },
      },
    );
    child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
  });
} finally {
  await mariadb.stop();
}
process.exit(code);
