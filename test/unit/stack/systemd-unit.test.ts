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
  writablePaths: ['/var/lib/webstack', checkout, '/root/.npm'],
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

test("an lb of two also speaks VRRP: keepalived's raw socket and gratuitous ARP, and systemd-analyze accepts it", (t) => {
  const unit = renderSystemdUnit({
    ...options,
    writablePaths: ['/var/lib/webstack'],
    firewall: true,
    vrrp: true,
  });
  assert.match(unit, /^CapabilityBoundingSet=.* CAP_NET_ADMIN CAP_NET_RAW$/m);
  assert.match(unit, /^RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK AF_PACKET$/m);
  const other = renderSystemdUnit({ ...options, firewall: true });
  assert.doesNotMatch(other, /CAP_NET_RAW|AF_PACKET/);
  const dir = mkdtempSync(join(tmpdir(), 'webstack-unit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'webstack.service');
  writeFileSync(file, unit);
  execFileSync('systemd-analyze', ['verify', file], { stdio: 'pipe' });
});

test('the unit sandboxes the daemon: read-only system but for what it writes, few capabilities', () => {
  const unit = renderSystemdUnit(options);
  for (const line of [
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    'ProtectHome=read-only',
    'ReadWritePaths=/var/lib/webstack',
    `ReadWritePaths=${checkout}`,
    'ReadWritePaths=/root/.npm',
    'PrivateTmp=yes',
    'PrivateDevices=yes',
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectKernelLogs=yes',
    'ProtectControlGroups=yes',
    'ProtectClock=yes',
    'ProtectHostname=yes',
    'RestrictRealtime=yes',
    'RestrictSUIDSGID=yes',
    'LockPersonality=yes',
    'RestrictNamespaces=yes',
    'SystemCallArchitectures=native',
    'SystemCallFilter=@system-service',
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
    'CapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_SETUID CAP_SETGID CAP_CHOWN CAP_FOWNER CAP_DAC_OVERRIDE CAP_KILL CAP_SYS_PTRACE',
  ]) {
    assert.ok(unit.split('\n').includes(line), line);
  }
  // V8's JIT writes executable pages.
  assert.doesNotMatch(unit, /MemoryDenyWriteExecute/);
});

test('systemd-analyze security rates the unit at most 3.2 (9.6 without the sandbox)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'webstack-unit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'webstack.service');
  writeFileSync(file, renderSystemdUnit(options));
  const report = execFileSync('systemd-analyze', ['security', '--offline=true', file], { encoding: 'utf8' });
  const score = Number(/Overall exposure level for webstack\.service: ([\d.]+)/.exec(report)?.[1]);
  assert.ok(score <= 3.2, `exposure ${score}`);
});

test('paths that systemd would split or expand are refused', () => {
  assert.throws(() => renderSystemdUnit({ ...options, configFile: '/etc/web stack.json' }));
  assert.throws(() => renderSystemdUnit({ ...options, workingDirectory: '/srv/%h' }));
  assert.throws(() => renderSystemdUnit({ ...options, writablePaths: ['/srv/a b'] }));
});

test("a cluster host's unit writes its firewall and its own log, and systemd-analyze accepts it", (t) => {
  const unit = renderSystemdUnit({
    ...options,
    writablePaths: ['/var/lib/webstack'],
    logFile: '/var/lib/webstack/logs/webstack.log',
    daemonArgs: ['--no-seed'],
    firewall: true,
  });
  assert.match(unit, / daemon --no-seed$/m);
  assert.match(unit, /^CapabilityBoundingSet=.* CAP_NET_ADMIN$/m);
  assert.match(unit, /^StandardOutput=append:\/var\/lib\/webstack\/logs\/webstack\.log$/m);
  assert.match(unit, /^StandardError=append:\/var\/lib\/webstack\/logs\/webstack\.log$/m);
  assert.doesNotMatch(renderSystemdUnit(options), /CAP_NET_ADMIN/);
  const dir = mkdtempSync(join(tmpdir(), 'webstack-unit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'webstack.service');
  writeFileSync(file, unit);
  execFileSync('systemd-analyze', ['verify', file], { stdio: 'pipe' });
});
