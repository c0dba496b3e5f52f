import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderLogrotate } from '../../../src/stack/components/logrotate/conf.js';

test('the logrotate config copies each log, then truncates it in place, so its writer keeps its file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'webstack-logrotate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const access = join(dir, 'nginx-access.log');
  const app = join(dir, 'app.log');
  writeFileSync(access, 'GET /\n');
  writeFileSync(app, '{"msg":"hello"}\n');
  const conf = join(dir, 'logrotate.conf');
  writeFileSync(conf, renderLogrotate({ logs: [access, app] }));
  // --force rotates now; the real logrotate parses and applies the config.
  execFileSync('logrotate', ['--force', '--state', join(dir, 'status'), conf]);
  assert.equal(readFileSync(`${access}.1`, 'utf8'), 'GET /\n');
  assert.equal(readFileSync(`${app}.1`, 'utf8'), '{"msg":"hello"}\n');
  assert.equal(readFileSync(access, 'utf8'), '', 'truncated in place, so an appending writer keeps its file');
  assert.equal(readFileSync(app, 'utf8'), '');
});

test('as root, a rotated log keeps its owner and mode, and so does its copy', {
  skip: process.getuid?.() !== 0 && 'needs root to give files away',
}, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'webstack-logrotate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const access = join(dir, 'nginx-access.log');
  writeFileSync(access, 'GET /\n', { mode: 0o640 });
  chownSync(access, 0, 0);
  const conf = join(dir, 'logrotate.conf');
  writeFileSync(conf, renderLogrotate({ logs: [access] }));
  execFileSync('logrotate', ['--force', '--state', join(dir, 'status'), conf]);
  for (const path of [access, `${access}.1`]) {
    const file = statSync(path);
    assert.deepEqual([file.uid, file.gid, (file.mode & 0o777).toString(8)], [0, 0, '640'], path);
  }
});

test('logrotate paths must be absolute and plain, because they are words of its config', () => {
  assert.throws(() => renderLogrotate({ logs: ['/tmp/a.log', '/tmp/x; rm -rf /'] }));
  assert.throws(() => renderLogrotate({ logs: ['relative.log'] }));
});
