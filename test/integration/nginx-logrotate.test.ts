/**
 * Log rotation against a real nginx run as root with unprivileged workers: the stack's own
 * logrotate config (the one scheduleLogrotate writes), then the owner of the live log files.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderLogrotate } from '../../src/stack/components/logrotate/conf.js';
import { httpRequest, startTestNginx } from '../support/nginx.js';
import { waitFor } from '../support/wait.js';

test('after a rotation, nginx’s logs are still root’s, and nginx still writes them', {
  skip: process.getuid?.() !== 0 && 'needs root: nginx hands reopened logs to its workers only as root',
}, async (t) => {
  const upstream = { port: 9 }; // nothing listens: the probes below never reach an application
  const nginx = await startTestNginx({ upstreamPort: upstream.port });
  t.after(() => nginx.stop());
  const { accessLog, errorLog } = nginx.options;
  const probe = (name: string) => httpRequest({ port: nginx.port, path: `/assets/${name}` });
  assert.equal((await probe('before.css')).status, 404);
  await waitFor(async () => (await readFile(accessLog, 'utf8')).includes('before.css'), {
    what: 'the first request in the access log',
    timeoutMs: 10_000,
  });

  const conf = join(nginx.dir, 'logrotate.conf');
  await writeFile(conf, renderLogrotate({ logs: [accessLog, errorLog] }));
  execFileSync('logrotate', ['--force', '--state', join(nginx.dir, 'logrotate.status'), conf]);

  // Requests after the rotation land in the live file (after a reopen, once nginx has done it).
  await waitFor(
    async () => {
      await probe('after.css');
      return (await readFile(accessLog, 'utf8')).includes('after.css');
    },
    { what: 'a request after the rotation in the live access log', timeoutMs: 10_000, intervalMs: 250 },
  );
  assert.match(await readFile(`${accessLog}.1`, 'utf8'), /before\.css/, 'the old lines were kept');
  for (const log of [accessLog, errorLog]) {
    const { uid, mode } = await stat(log);
    t.diagnostic(`${log.slice(nginx.dir.length)}: uid ${uid}, mode ${(mode & 0o777).toString(8)}`);
    assert.equal(uid, 0, `${log} is root's after the rotation`);
  }
});
