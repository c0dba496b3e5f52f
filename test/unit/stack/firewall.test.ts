import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  applyFirewall,
  firewallCheck,
  firewallDifferences,
  firewallInputFor,
  firewallTable,
  parseLiveFirewall,
  REMOVE_FIREWALL_SCRIPT,
  removeFirewall,
  renderFirewall,
} from '../../../src/stack/components/firewall/index.js';
import { resolveInventory } from '../../../src/stack/core/config/inventory.js';
import { RecordingHost } from '../../../src/stack/host/recording.js';

const APP_HOST = { appPort: 3000, lbAddresses: ['198.18.1.10', '2001:DB8:0:0::10'], appAddresses: [] };

test('an app host: loopback, then port 3000 from the lb addresses (v4 and v6), then drop', () => {
  assert.equal(
    renderFirewall(APP_HOST),
    [
      '#!/usr/sbin/nft -f',
      '# Written by webstack; rewritten on every `webstack up`. Put your own rules in a table of your own.',
      'table inet webstack {}',
      'delete table inet webstack',
      'table inet webstack {',
      '  set app_v4 { type ipv4_addr; elements = { 198.18.1.10 }; }',
      '  set app_v6 { type ipv6_addr; elements = { 2001:db8::10 }; }',
      '  chain input {',
      '    type filter hook input priority filter; policy accept;',
      '    iif "lo" accept',
      '    tcp dport 3000 ip saddr @app_v4 accept',
      '    tcp dport 3000 ip6 saddr @app_v6 accept',
      '    tcp dport 3000 counter drop',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
});

test('a db host guards the database port with the app addresses; an empty set has no elements line', () => {
  const table = firewallTable({
    dbPort: 3306,
    lbAddresses: [],
    appAddresses: ['198.18.1.12', '198.18.1.11', '198.18.1.11'],
  });
  assert.deepEqual(table.sets, [
    { name: 'db_v4', type: 'ipv4_addr', elements: ['198.18.1.11', '198.18.1.12'] },
    { name: 'db_v6', type: 'ipv6_addr', elements: [] },
  ]);
  assert.deepEqual(table.rules, [
    'iif "lo" accept',
    'tcp dport 3306 ip saddr @db_v4 accept',
    'tcp dport 3306 ip6 saddr @db_v6 accept',
    'tcp dport 3306 counter drop',
  ]);
  assert.match(
    renderFirewall({ dbPort: 3306, lbAddresses: [], appAddresses: [] }),
    /^ {2}set db_v6 \{ type ipv6_addr; \}$/m,
  );
});

test('one host with both roles and extra guards (the place for Galera ports): each port its own rules', () => {
  const table = firewallTable({
    appPort: 3000,
    lbAddresses: ['198.18.1.10'],
    dbPort: 3306,
    appAddresses: ['198.18.1.11'],
    extra: [{ name: 'galera', ports: [4567, 4568], from: ['198.18.1.20'] }],
  });
  assert.deepEqual(
    table.sets.map((s) => s.name),
    ['app_v4', 'app_v6', 'db_v4', 'db_v6', 'galera_v4', 'galera_v6'],
  );
  assert.deepEqual(
    table.rules.filter((r) => r.endsWith('drop')),
    [
      'tcp dport 3000 counter drop',
      'tcp dport 3306 counter drop',
      'tcp dport 4567 counter drop',
      'tcp dport 4568 counter drop',
    ],
  );
});

test('a host with no guarded port gets only the loopback rule; the script never flushes the ruleset', () => {
  const script = renderFirewall({ lbAddresses: [], appAddresses: [] });
  assert.deepEqual(firewallTable({ lbAddresses: [], appAddresses: [] }).rules, ['iif "lo" accept']);
  assert.doesNotMatch(script, /flush|ruleset/);
  assert.equal(REMOVE_FIREWALL_SCRIPT, 'table inet webstack {}\ndelete table inet webstack\n');
});

test('bad input is a coded error: an address that is not an IP, a bad port, a port guarded twice', () => {
  assert.throws(() => renderFirewall({ appPort: 3000, lbAddresses: ['lb1.example'], appAddresses: [] }), {
    code: 'FIREWALL_ADDRESS_INVALID',
    message: 'the firewall rule for app names "lb1.example", which is not an IP address',
  });
  for (const bad of ['198.18.1.0/24', '198.18.1.1; flush ruleset', '', '300.1.1.1'])
    assert.throws(() => renderFirewall({ dbPort: 3306, lbAddresses: [], appAddresses: [bad] }), {
      code: 'FIREWALL_ADDRESS_INVALID',
    });
  assert.throws(() => renderFirewall({ appPort: 0, lbAddresses: [], appAddresses: [] }), {
    code: 'FIREWALL_PORT_INVALID',
  });
  assert.throws(() => renderFirewall({ appPort: 3306, dbPort: 3306, lbAddresses: [], appAddresses: [] }), {
    code: 'FIREWALL_PORT_TWICE',
  });
  assert.throws(
    () =>
      renderFirewall({
        lbAddresses: [],
        appAddresses: [],
        extra: [{ name: 'Bad-Name', ports: [1], from: [] }],
      }),
    { code: 'FIREWALL_NAME_INVALID' },
  );
});

/** What `nft -j list table inet webstack` printed for APP_HOST's script (nftables 1.0.6). */
function liveJson(options: { lbV4?: string[]; dropRule?: boolean } = {}): string {
  const match = (left: unknown, right: unknown) => ({ match: { op: '==', left, right } });
  const payload = (protocol: string, field: string) => ({ payload: { protocol, field } });
  const rule = (handle: number, expr: unknown[]) => ({
    rule: { family: 'inet', table: 'webstack', chain: 'input', handle, expr },
  });
  const rules = [
    rule(4, [match({ meta: { key: 'iif' } }, 'lo'), { accept: null }]),
    rule(5, [
      match(payload('tcp', 'dport'), 3000),
      match(payload('ip', 'saddr'), '@app_v4'),
      { accept: null },
    ]),
    rule(6, [
      match(payload('tcp', 'dport'), 3000),
      match(payload('ip6', 'saddr'), '@app_v6'),
      { accept: null },
    ]),
    rule(7, [match(payload('tcp', 'dport'), 3000), { counter: { packets: 3, bytes: 180 } }, { drop: null }]),
  ];
  return JSON.stringify({
    nftables: [
      { metainfo: { version: '1.0.6', json_schema_version: 1 } },
      { table: { family: 'inet', name: 'webstack', handle: 5 } },
      {
        set: {
          family: 'inet',
          name: 'app_v4',
          table: 'webstack',
          type: 'ipv4_addr',
          handle: 2,
          elem: options.lbV4 ?? ['198.18.1.10'],
        },
      },
      {
        set: {
          family: 'inet',
          name: 'app_v6',
          table: 'webstack',
          type: 'ipv6_addr',
          handle: 3,
          elem: ['2001:db8::10'],
        },
      },
      {
        chain: {
          family: 'inet',
          table: 'webstack',
          name: 'input',
          handle: 1,
          type: 'filter',
          hook: 'input',
          prio: 0,
          policy: 'accept',
        },
      },
      ...(options.dropRule === false ? rules.slice(0, 3) : rules),
    ],
  });
}

test('the live table read back as JSON matches the rendered one exactly', () => {
  const live = parseLiveFirewall(liveJson());
  assert.deepEqual(live.rules, firewallTable(APP_HOST).rules);
  assert.deepEqual(firewallDifferences(firewallTable(APP_HOST), live), []);
});

test('differences name the set and the rule that are not as expected', () => {
  const expected = firewallTable(APP_HOST);
  assert.deepEqual(
    firewallDifferences(expected, parseLiveFirewall(liveJson({ lbV4: ['198.18.1.10', '198.18.1.99'] }))),
    ['set app_v4 holds {198.18.1.10, 198.18.1.99}, expected {198.18.1.10}'],
  );
  assert.deepEqual(firewallDifferences(expected, parseLiveFirewall(liveJson({ dropRule: false }))), [
    'missing rules: tcp dport 3000 counter drop',
  ]);
  assert.throws(() => parseLiveFirewall('not json'), { code: 'FIREWALL_UNREADABLE' });
});

test('apply writes the script 0600 under the state dir, checks it with nft -c, then applies it', async () => {
  const host = new RecordingHost({ root: true });
  const file = await applyFirewall(host, '/var/lib/webstack', 'SCRIPT');
  assert.equal(file, '/var/lib/webstack/firewall/webstack.nft');
  assert.deepEqual(
    host.calls.filter((c) => c.op === 'write' || c.op === 'run'),
    [
      { op: 'write', path: file, mode: 0o600 },
      { op: 'run', argv: ['nft', '-c', '-f', file] },
      { op: 'run', argv: ['nft', '-f', file] },
    ],
  );
  await removeFirewall(host);
  assert.deepEqual(host.calls.at(-1), { op: 'run', argv: ['nft', '-f', '-'], input: REMOVE_FIREWALL_SCRIPT });
});

test('the doctor check: critical when the table is missing or differs, ok when it matches', async () => {
  const missing = new RecordingHost({ root: true });
  missing.answer(['nft', '-j', 'list'], { code: 1, stderr: 'Error: No such file or directory' });
  const none = await firewallCheck(missing, APP_HOST).run({} as never, { running: true });
  assert.equal(none.severity, 'critical');
  assert.match(none.detail, /no table inet webstack: port 3000 \(app\) open to every address/);

  const drifted = new RecordingHost({ root: true });
  drifted.answer(['nft', '-j', 'list'], { stdout: liveJson({ dropRule: false }) });
  const differs = await firewallCheck(drifted, APP_HOST).run({} as never, { running: true });
  assert.deepEqual(
    [differs.severity, differs.detail],
    ['critical', 'table inet webstack differs: missing rules: tcp dport 3000 counter drop'],
  );
  assert.match(differs.fix ?? '', /webstack up/);

  const good = new RecordingHost({ root: true });
  good.answer(['nft', '-j', 'list'], { stdout: liveJson() });
  assert.deepEqual(await firewallCheck(good, APP_HOST).run({} as never, { running: true }), {
    severity: 'ok',
    detail: 'port 3000 (app): only from their peers',
    fix: null,
  });
});

test('from the inventory: app hosts open the app port to the lb hosts, the db host its port to the app hosts', () => {
  const inventory = resolveInventory([
    { name: 'lb1', address: '198.18.0.2', roles: ['lb'], ssh: { user: 'root', port: 22 } },
    { name: 'app1', address: '198.18.0.3', roles: ['app'], ssh: { user: 'root', port: 22 } },
    { name: 'app2', address: '198.18.0.4', roles: ['app'], ssh: { user: 'root', port: 22 } },
    { name: 'db1', address: '198.18.0.5', roles: ['db'], ssh: { user: 'root', port: 22 } },
  ]);
  const [lb1, app1, , db1] = inventory.hosts;
  const ports = { app: 3000, db: 3307 };
  assert.ok(lb1 && app1 && db1);
  assert.deepEqual(firewallInputFor(inventory, lb1, ports), { lbAddresses: [], appAddresses: [] });
  assert.deepEqual(firewallInputFor(inventory, app1, ports), {
    appPort: 3000,
    lbAddresses: ['198.18.0.2'],
    appAddresses: [],
  });
  assert.deepEqual(firewallInputFor(inventory, db1, ports), {
    lbAddresses: [],
    dbPort: 3307,
    appAddresses: ['198.18.0.3', '198.18.0.4'],
  });
  const single = resolveInventory(undefined);
  const [local] = single.hosts;
  assert.ok(local);
  assert.deepEqual(firewallInputFor(single, local, ports), { lbAddresses: [], appAddresses: [] });
});
