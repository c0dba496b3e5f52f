import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// The supervisor runs the compiled stack: what tsc emits for an error class is what an operator meets
// (a parameter property beside a conditional super() once compiled into a crash of the deploy path).
const BUILT = fileURLToPath(new URL('../../../dist/stack/components/appserver/types.js', import.meta.url));

test('a failed deploy carries the worker’s last lines, as built', async () => {
  assert.ok(existsSync(BUILT), 'npm run build has run (the test command builds first)');
  const { WorkerFailed } = (await import(
    BUILT
  )) as typeof import('../../../src/stack/components/appserver/types.js');
  const failed = new WorkerFailed('DEPLOY_NOT_READY', 'r2', '/readyz answered 503', ['booting', 'db down']);
  assert.equal(failed.code, 'DEPLOY_NOT_READY');
  assert.deepEqual(failed.lastLines, ['booting', 'db down']);
  assert.match(
    failed.message,
    /^release r2 did not become ready: \/readyz answered 503.*\n {2}\| booting\n {2}\| db down$/s,
  );
  const crashed = new WorkerFailed('APP_START_FAILED', 'r2', 'exit 1', []);
  assert.deepEqual(crashed.lastLines, []);
});
