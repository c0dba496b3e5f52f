/**
 * The black-box scan (`npm run scan`, test/scan/run.ts) as part of the suite: sqlmap, wapiti and
 * testssl against a whole stack on loopback must finish and find nothing beyond the accepted list.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('sqlmap, wapiti and testssl find no vulnerability in a running stack', {
  timeout: 1_200_000,
}, async () => {
  const result = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'test/scan/run.ts'],
      { cwd: root, timeout: 1_150_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, output: stdout + stderr });
      },
    );
  });
  assert.equal(result.code, 0, result.output);
  assert.match(result.output, /scan passed/);
  for (const name of [
    'sqlmap crawl\\+forms',
    'sqlmap POST /login',
    'sqlmap /api/v1/articles',
    'wapiti',
    'testssl',
  ])
    assert.match(result.output, new RegExp(`== ${name}: PASS`));
});
