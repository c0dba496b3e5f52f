import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { renderSystemdUnit } from '../../../src/stack/components/systemd/unit.js';

const checkout = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');
const options = {
  node: process.execPath,
  webstack: join(checkout, 'bin', 'webstack'),
  configFile: '/etc/webstack.json',
  workingDirectory: checkout,
  description: 'webstack: www.foobar.com',
};

test('the unit runs the supervisor in the foreground and stops it with down', () => {
  const unit = renderSystemdUnit(options);
  assert.match(
    unit,
    new RegExp(`^ExecStart=${process.execPath} ${options.webstack} --config /etc/webstack.json daemon$`, 'm'),
  );
  assert.match(
    unit,
    new RegExp(`^ExecStop=${process.execPath} ${options.webstack} --config /etc/webstack.json down$`, 'm'),
  );
  assert.match(unit, /^Restart=on-failure$/m);
  assert.match(unit, /^WantedBy=multi-user\.target$/m);
});

test('systemd-analyze verify accepts the unit', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'webstack-unit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'webstack.service');
  writeFileSync(file, renderSystemdUnit(options));
  // Throws (non-zero exit) when systemd finds the unit invalid.
  execFileSync('systemd-analyze', ['verify', file], { stdio: 'pipe' });
});

test('paths that systemd would split or expand are refused', () => {
  assert.throws(() => renderSystemdUnit({ ...options, configFile: '/etc/web stack.json' }));
  assert.throws(() => renderSystemdUnit({ ...options, workingDirectory: '/srv/%h' }));
});
