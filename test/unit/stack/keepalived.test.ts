import assert from 'node:assert/strict';
import { test } from 'node:test';
import { vipFinding } from '../../../src/stack/cluster/doctor.js';
import { describeVip, vipHolders } from '../../../src/stack/cluster/status.js';
import { firewallInputFor, firewallTable } from '../../../src/stack/components/firewall/index.js';
import { firewallDifferences, parseLiveFirewall } from '../../../src/stack/components/firewall/live.js';
import {
  KeepalivedComponent,
  keepalivedArgv,
  keepalivedPaths,
} from '../../../src/stack/components/keepalived/component.js';
import {
  holdsVip,
  type KeepalivedConfOptions,
  renderKeepalivedConf,
  sameSubnet,
  vipPlacement,
} from '../../../src/stack/components/keepalived/conf.js';
import { resolveInventory } from '../../../src/stack/core/config/inventory.js';
import { isWebstackError } from '../../../src/stack/core/errors.js';
import { parseAddresses } from '../../../src/stack/core/ip-json.js';
import { RecordingHost } from '../../../src/stack/host/recording.js';

const options: KeepalivedConfOptions = {
  name: 'lb1',
  interface: 'eth0',
  address: '198.18.0.11',
  peer: '198.18.0.12',
  vip: '198.18.0.10',
  prefixLength: 24,
  routerId: 51,
  advertIntervalMs: 200,
  priority: 110,
  check: [
    '/usr/bin/curl',
    '-fsS',
    '-o',
    '/dev/null',
    '--max-time',
    '2',
    'http://127.0.0.1:4711/nginx_status',
  ],
};

test('keepalived: VRRPv3 to the peer alone, both BACKUP without preemption, the address held while Nginx answers', () => {
  const conf = renderKeepalivedConf(options);
  for (const line of [
    '  vrrp_version 3',
    '  script_user nobody nogroup',
    '  enable_script_security',
    '  script "/usr/bin/curl -fsS -o /dev/null --max-time 2 http://127.0.0.1:4711/nginx_status"',
    '  timeout 3',
    '  fall 3',
    '  state BACKUP',
    '  nopreempt',
    '  interface eth0',
    '  virtual_router_id 51',
    '  priority 110',
    '  advert_int 0.20',
    '  unicast_src_ip 198.18.0.11',
    '    198.18.0.12',
    '    198.18.0.10/24 dev eth0',
    '    webstack_nginx',
  ])
    assert.ok(conf.split('\n').includes(line), `missing: ${line}`);
  assert.doesNotMatch(conf, /state MASTER|authentication|mcast/);
});

test('keepalived: bad input is a coded error, never a config line', () => {
  const bad: Partial<KeepalivedConfOptions>[] = [
    { vip: '198.18.0.10/24' },
    { peer: 'lb2' },
    { name: 'LB 1' },
    { interface: 'eth0; x' },
    { check: ['/usr/bin/curl', 'http://x/"; rm'] },
    { check: [] },
    { advertIntervalMs: 205 },
  ];
  for (const change of bad)
    assert.throws(() => renderKeepalivedConf({ ...options, ...change }), { code: 'KEEPALIVED_CONF_INVALID' });
});

test('keepalived runs its VRRP part only, in the foreground, logging to its output, with its own pid files', () => {
  const paths = keepalivedPaths('/var/lib/webstack/run', '/var/lib/webstack/logs');
  assert.deepEqual(keepalivedArgv(paths), [
    'keepalived',
    '-n',
    '-P',
    '-l',
    '-D',
    '-G',
    '-f',
    '/var/lib/webstack/run/keepalived/keepalived.conf',
    '-p',
    '/var/lib/webstack/run/keepalived/keepalived.pid',
    '-r',
    '/var/lib/webstack/run/keepalived/vrrp.pid',
  ]);
});

const ipAddr = JSON.stringify([
  { ifname: 'lo', addr_info: [{ local: '127.0.0.1', prefixlen: 8 }] },
  {
    ifname: 'eth0',
    addr_info: [
      { local: '198.18.0.11', prefixlen: 24 },
      { local: '198.18.0.10', prefixlen: 24 },
    ],
  },
]);

test('the floating address goes on the interface of the host’s own address, and must be in its subnet', () => {
  const addresses = parseAddresses(ipAddr);
  assert.deepEqual(vipPlacement(addresses, '198.18.0.11', '198.18.0.10'), {
    interface: 'eth0',
    prefixLength: 24,
  });
  assert.throws(() => vipPlacement(addresses, '198.18.0.11', '198.18.1.10'), { code: 'VIP_OUTSIDE_SUBNET' });
  assert.throws(() => vipPlacement(addresses, '198.18.0.99', '198.18.0.10'), { code: 'VIP_NO_INTERFACE' });
  assert.equal(holdsVip(addresses, '198.18.0.10'), true);
  assert.equal(holdsVip(addresses, '198.18.0.12'), false);
  assert.equal(sameSubnet('10.1.2.3', '10.1.3.4', 16), true);
  assert.equal(sameSubnet('10.1.2.3', '10.1.3.4', 24), false);
  assert.equal(sameSubnet('198.18.0.1', '198.18.0.254', 24), true);
});

const ssh = { user: 'root', port: 22 };
const inventory = resolveInventory(
  [
    { name: 'lb1', address: '198.18.0.11', roles: ['lb'], ssh },
    { name: 'lb2', address: '198.18.0.12', roles: ['lb'], ssh },
    { name: 'app1', address: '198.18.0.13', roles: ['app'], ssh },
    { name: 'db1', address: '198.18.0.14', roles: ['db'], ssh },
  ],
  '198.18.0.10',
);

test('each lb accepts VRRP only from the other; no other host has the rule', () => {
  const [lb1, lb2, app1] = inventory.hosts;
  assert.ok(lb1 && lb2 && app1);
  const ports = { app: 3000, db: 3307 };
  assert.deepEqual(firewallInputFor(inventory, lb1, ports).vrrpFrom, ['198.18.0.12']);
  assert.deepEqual(firewallInputFor(inventory, lb2, ports).vrrpFrom, ['198.18.0.11']);
  assert.equal(firewallInputFor(inventory, app1, ports).vrrpFrom, undefined);
  const table = firewallTable(firewallInputFor(inventory, lb1, ports));
  assert.deepEqual(table.rules, [
    'iif "lo" accept',
    'ip protocol vrrp ip saddr @vrrp_v4 accept',
    'ip protocol vrrp counter drop',
  ]);
  assert.deepEqual(table.sets, [{ name: 'vrrp_v4', type: 'ipv4_addr', elements: ['198.18.0.12'] }]);
  assert.throws(() => firewallTable({ lbAddresses: [], appAddresses: [], vrrpFrom: ['lb2'] }), {
    code: 'FIREWALL_ADDRESS_INVALID',
  });
});

test('the live VRRP rules as `nft -j` prints them read back equal to the rendered ones', () => {
  const protocol = (then: object[]) => ({
    rule: {
      family: 'inet',
      table: 'webstack',
      chain: 'input',
      expr: [
        { match: { op: '==', left: { payload: { protocol: 'ip', field: 'protocol' } }, right: 'vrrp' } },
        ...then,
      ],
    },
  });
  const json = JSON.stringify({
    nftables: [
      {
        set: { family: 'inet', table: 'webstack', name: 'vrrp_v4', type: 'ipv4_addr', elem: ['198.18.0.12'] },
      },
      {
        chain: {
          family: 'inet',
          table: 'webstack',
          name: 'input',
          type: 'filter',
          hook: 'input',
          prio: 0,
          policy: 'accept',
        },
      },
      {
        rule: {
          family: 'inet',
          table: 'webstack',
          chain: 'input',
          expr: [{ match: { op: '==', left: { meta: { key: 'iif' } }, right: 'lo' } }, { accept: null }],
        },
      },
      protocol([
        { match: { op: '==', left: { payload: { protocol: 'ip', field: 'saddr' } }, right: '@vrrp_v4' } },
        { accept: null },
      ]),
      protocol([{ counter: { packets: 3, bytes: 120 } }, { drop: null }]),
    ],
  });
  const [lb1] = inventory.hosts;
  assert.ok(lb1);
  const expected = firewallTable(firewallInputFor(inventory, lb1, { app: 3000, db: 3307 }));
  assert.deepEqual(firewallDifferences(expected, parseLiveFirewall(json)), []);
});

test('doctor: exactly one lb holds the floating address; none, or both, is critical', () => {
  const vip = '198.18.0.10';
  assert.deepEqual(
    vipFinding(vip, [
      { host: 'lb1', holds: false },
      { host: 'lb2', holds: true },
    ]),
    { title: 'floating address', severity: 'ok', detail: '198.18.0.10 is held by lb2', fix: null },
  );
  const none = vipFinding(vip, [
    { host: 'lb1', holds: null },
    { host: 'lb2', holds: false },
  ]);
  assert.equal(none.severity, 'critical');
  assert.equal(
    none.detail,
    "no lb holds 198.18.0.10 (lb1 did not answer): the site's address answers nowhere",
  );
  const both = vipFinding(vip, [
    { host: 'lb1', holds: true },
    { host: 'lb2', holds: true },
  ]);
  assert.equal(both.severity, 'critical');
  assert.match(both.detail, /^lb1 and lb2 both hold 198.18.0.10/);
});

test('status names the holder from each lb’s own report', () => {
  const lb = (host: string, held: boolean | undefined) => ({
    host,
    address: '',
    roles: ['lb'],
    status: {
      running: true as const,
      healthy: true,
      url: '',
      release: null,
      supervisor: { pid: 1, uptimeSeconds: 1, ready: true },
      components: [],
      ...(held === undefined ? {} : { vip: { address: '198.18.0.10', held } }),
    },
  });
  const holders = vipHolders([lb('lb1', false), lb('lb2', true), lb('app1', undefined)]);
  assert.deepEqual(holders, ['lb2']);
  assert.equal(describeVip('198.18.0.10', holders), 'floating address 198.18.0.10: held by lb2');
  assert.match(describeVip('198.18.0.10', []), /held by no lb/);
  assert.match(describeVip('198.18.0.10', ['lb1', 'lb2']), /split brain/);
});

const dirs = { run: '/srv/webstack/run', logs: '/srv/webstack/logs' };
const componentOptions = {
  name: 'lb1',
  address: '198.18.0.11',
  peer: '198.18.0.12',
  vip: '198.18.0.10',
  routerId: 51,
  advertIntervalMs: 200,
  priority: 110,
  check: ['/usr/bin/curl', '-fsS', 'http://127.0.0.1:4711/nginx_status'],
};
const quiet = () => {};
const withAddresses = (host: RecordingHost, json: string) =>
  host.answer(['ip', '-j', '-4', 'addr', 'show'], { stdout: json });

test('the component refuses a floating address outside its subnet before writing or starting anything', async () => {
  const host = withAddresses(new RecordingHost().seed('/usr/bin/curl', ''), ipAddr);
  const component = new KeepalivedComponent(host, dirs, { ...componentOptions, vip: '198.18.1.10' }, quiet);
  await assert.rejects(component.start(), { code: 'VIP_OUTSIDE_SUBNET' });
  assert.deepEqual(
    host.calls.filter((call) => call.op !== 'run'),
    [],
  );
});

test('a config keepalived -t refuses stops the start with its reason; a missing curl too', async () => {
  const own = JSON.stringify([{ ifname: 'eth0', addr_info: [{ local: '198.18.0.11', prefixlen: 24 }] }]);
  const host = withAddresses(new RecordingHost().seed('/usr/bin/curl', ''), own).answer(
    ['keepalived', '-t'],
    {
      code: 5,
      stderr: 'Non-existent interface specified in configuration',
    },
  );
  const component = new KeepalivedComponent(host, dirs, componentOptions, quiet);
  await assert.rejects(component.start(), (error: unknown) => {
    assert.ok(isWebstackError(error));
    assert.equal(error.code, 'KEEPALIVED_START_FAILED');
    assert.match(error.message, /Non-existent interface/);
    return true;
  });
  assert.equal(host.calls.filter((call) => call.op === 'start').length, 0);
  const noCurl = withAddresses(new RecordingHost(), own);
  await assert.rejects(
    new KeepalivedComponent(noCurl, dirs, componentOptions, quiet).start(),
    (error: unknown) => {
      assert.ok(isWebstackError(error));
      assert.match(error.message, /\/usr\/bin\/curl is missing/);
      return true;
    },
  );
});

test('before keepalived starts: the one an earlier supervisor left is stopped, its pid files and the address it left go', async () => {
  const paths = keepalivedPaths(dirs.run, dirs.logs);
  const host = withAddresses(
    new RecordingHost({ alive: [4242] })
      .seed('/usr/bin/curl', '')
      .seed(paths.pid, '4242\n')
      .seed(paths.vrrpPid, '4243\n')
      .seed('/proc/4242/cmdline', `keepalived\0-f\0${paths.conf}\0`),
    ipAddr,
  ).answer(['keepalived', '-t'], { code: -1 });
  // The old keepalived ends on SIGTERM.
  const signal = host.signal.bind(host);
  host.signal = async (pid, name) => {
    const alive = await signal(pid, name);
    host.alive.delete(pid);
    return alive;
  };
  // The recording host's child never writes a pid file: the start fails after the clean-up.
  await assert.rejects(new KeepalivedComponent(host, dirs, componentOptions, quiet).start(), {
    code: 'KEEPALIVED_START_FAILED',
  });
  const steps = host.calls.flatMap((call) =>
    call.op === 'signal'
      ? [`signal ${call.pid} ${call.signal}`]
      : call.op === 'remove'
        ? [`remove ${call.path}`]
        : call.op === 'run' && call.argv[1] === 'addr' && call.argv[2] === 'del'
          ? [call.argv.join(' ')]
          : call.op === 'start'
            ? [`start ${call.argv[0]}`]
            : [],
  );
  assert.deepEqual(steps.slice(0, 1), ['signal 4242 SIGTERM']);
  assert.ok(
    steps.includes(`remove ${paths.pid}`) && steps.includes(`remove ${paths.vrrpPid}`),
    steps.join('\n'),
  );
  assert.ok(
    steps.indexOf('ip addr del 198.18.0.10/24 dev eth0') < steps.indexOf('start keepalived'),
    steps.join('\n'),
  );
  assert.equal(host.text(paths.conf)?.includes('virtual_router_id 51'), true);
});

test('with ACME, the issuing lb opens the pair port to the other lb only; the other lb and the app host open nothing for it', () => {
  const [lb1, lb2, app1] = inventory.hosts;
  assert.ok(lb1 && lb2 && app1);
  const ports = { app: 3000, db: 3307, acmePeer: 8444 };
  assert.deepEqual(firewallInputFor(inventory, lb1, ports).extra, [
    { name: 'acme_pair', ports: [8444], from: ['198.18.0.12'] },
  ]);
  assert.equal(firewallInputFor(inventory, lb2, ports).extra, undefined);
  assert.equal(firewallInputFor(inventory, app1, ports).extra, undefined);
  const table = firewallTable(firewallInputFor(inventory, lb1, ports));
  assert.ok(
    table.rules.some((rule) => rule.includes('8444') && rule.includes('@acme_pair_v4')),
    table.rules.join('\n'),
  );
});
