import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderLogrotate } from '../../../src/stack/components/logrotate/conf.js';

test('the logrotate config rotates nginx logs with a reopen and truncates append-only logs in place', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'webstack-logrotate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const access = join(dir, 'nginx-access.log');
  const app = join(dir, 'app.log');
  writeFileSync(access, 'GET /\n');
  writeFileSync(app, '{"msg":"hello"}\n');
  const conf = join(dir, 'logrotate.conf');
  writeFileSync(
    conf,
    renderLogrotate({ logs: [access], pidFile: join(dir, 'missing.pid'), copyTruncateLogs: [app] }),
  );
  // --force rotates now; the real logrotate parses and applies the config.
  execFileSync('logrotate', ['--force', '--state', join(dir, 'status'), conf]);
  assert.equal(readFileSync(`${access}.1`, 'utf8'), 'GET /\n');
  assert.equal(readFileSync(`${app}.1`, 'utf8'), '{"msg":"hello"}\n');
  assert.equal(readFileSync(app, 'utf8'), '', 'truncated in place, so an appending writer keeps its file');
});

test('as root, the fresh nginx log logrotate creates is root’s, 0640, even when nginx had handed the old one to its workers', {
  skip: process.getuid?.() !== 0 && 'needs root to give files away',
}, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'webstack-logrotate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const access = join(dir, 'nginx-access.log');
  writeFileSync(access, 'GET /\n', { mode: 0o644 });
  // What nginx's master does on USR1: the reopened file is chowned to the worker user.
  const www = Number(execFileSync('id', ['-u', 'www-data'], { encoding: 'utf8' }).trim());
  chownSync(access, www, 0);
  const conf = join(dir, 'logrotate.conf');
  writeFileSync(
    conf,
    renderLogrotate({
      logs: [access],
      pidFile: join(dir, 'missing.pid'),
      createOwner: { user: 'root', group: 'root' },
    }),
  );
  execFileSync('logrotate', ['--force', '--state', join(dir, 'status'), conf]);
  const fresh = statSync(access);
  assert.deepEqual([fresh.uid, fresh.gid, (fresh.mode & 0o777).toString(8)], [0, 0, '640']);
});

test('logrotate paths must be plain, because they land in its postrotate script', () => {
  assert.throws(() =>
    renderLogrotate({ logs: ['/tmp/a.log'], pidFile: '/tmp/x; rm -rf /', copyTruncateLogs: [] }),
  );
  assert.throws(() =>
    renderLogrotate({ logs: ['/tmp/a.log'], pidFile: '/tmp/n.pid', copyTruncateLogs: ['relative.log'] }),
  );
});
