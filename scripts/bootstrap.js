#!/usr/bin/env node
// The README's two commands start here: `npm run up` and `npm test`. On a fresh machine this
// installs the npm dependencies and builds, then hands over to the webstack CLI, which installs
// the Debian packages it needs. Plain JavaScript on purpose: nothing is installed yet when it runs.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [mode, ...rest] = process.argv.slice(2);

function step(argv, options = {}) {
  const result = spawnSync(argv[0], argv.slice(1), { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    console.error(
      `error: \`${argv.join(' ')}\` failed (exit ${result.status ?? result.signal}); fix the error above and run the command again`,
    );
    process.exit(result.status || 1);
  }
}

const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  console.error(
    `error: webstack needs Node.js 20 or newer (this is ${process.version}); install Node.js 20 and run again`,
  );
  process.exit(1);
}

const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  step(['npm', 'ci', '--no-audit', '--no-fund']);
}
step(['npm', 'run', '--silent', 'build']);

const webstack = [process.execPath, join(root, 'bin', 'webstack')];
if (mode === 'up') {
  step([...webstack, 'up', ...rest]);
} else if (mode === 'test') {
  step([...webstack, 'install', '--with-test-tools']);
  step(['npm', 'run', '--silent', 'typecheck']);
  step(['npm', 'run', '--silent', 'lint']);
  step([process.execPath, '--import', 'tsx', join(root, 'test', 'run.ts'), ...rest]);
} else if (mode === 'bench') {
  step([...webstack, 'install', '--with-test-tools']);
  step([process.execPath, '--import', 'tsx', join(root, 'bench', 'run.ts'), ...rest]);
} else {
  console.error('usage: node scripts/bootstrap.js up|test|bench [args...]');
  process.exit(2);
}
