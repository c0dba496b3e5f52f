import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../../../src/stack/core/config/load.js';
import {
  parseAddresses,
  parseLinks,
  parseNetnsNames,
  runtimeAddresses,
} from '../../../src/stack/lab/ip-json.js';
import { mountPointsUnder } from '../../../src/stack/lab/mounts.js';
import { labEntries, labPaths } from '../../../src/stack/lab/paths.js';
import { knownHostsLine, renderSshdConfig, sshCommand } from '../../../src/stack/lab/sshd-config.js';
import { newLabState, renderInventory } from '../../../src/stack/lab/state.js';
import { planHosts } from '../../../src/stack/lab/topology.js';

const lab = labPaths('/var/lib/webstack-lab');

test('sshd_config: own address, key, PID file and authorized keys; keys only, no PAM', () => {
  const conf = renderSshdConfig('198.18.0.12', lab.host('app1'));
  for (const line of [
    'ListenAddress 198.18.0.12:22',
    'HostKey /var/lib/webstack-lab/hosts/app1/ssh_host_ed25519_key',
    'PidFile /var/lib/webstack-lab/hosts/app1/sshd.pid',
    'AuthorizedKeysFile /var/lib/webstack-lab/hosts/app1/authorized_keys',
    'UsePAM no',
    'PasswordAuthentication no',
    'StrictModes yes',
  ])
    assert.ok(conf.split('\n').includes(line), line);
});

test('known_hosts pins a host key under its name and address; the ssh line uses that file', () => {
  assert.equal(
    knownHostsLine('app1', '198.18.0.12', 'ssh-ed25519 AAAAC3Nza webstack-lab app1\n'),
    'app1,198.18.0.12 ssh-ed25519 AAAAC3Nza',
  );
  assert.deepEqual(sshCommand(lab.operatorKey, lab.knownHosts, '198.18.0.12'), [
    'ssh',
    '-i',
    '/var/lib/webstack-lab/id_ed25519',
    '-o',
    'UserKnownHostsFile=/var/lib/webstack-lab/known_hosts',
    'root@198.18.0.12',
  ]);
});

test('the inventory has the shape of issue 12 (name, address, roles, ssh), one worker per app host, small buffer pools and gcache, the zone at the lb', () => {
  const state = newLabState(lab.dir, planHosts({ lb: 1, app: 1, db: 0 }));
  assert.deepEqual(renderInventory(state, lab), {
    serverIp: '198.18.0.11',
    app: { workers: 1 },
    database: { bufferPoolMb: 32, galera: { gcacheMb: 64 } },
    hosts: [
      {
        name: 'lb1',
        address: '198.18.0.11',
        roles: ['lb'],
        ssh: { user: 'root', port: 22, identityFile: '/var/lib/webstack-lab/id_ed25519' },
      },
      {
        name: 'app1',
        address: '198.18.0.12',
        roles: ['app'],
        ssh: { user: 'root', port: 22, identityFile: '/var/lib/webstack-lab/id_ed25519' },
      },
    ],
  });
});

test('with two lbs the inventory names the floating address, which the zone points at, and the config takes it', () => {
  const inventory = renderInventory(newLabState(lab.dir, planHosts({ lb: 2, app: 2, db: 3 })), lab);
  assert.equal(inventory.vip, '198.18.0.10');
  assert.equal(inventory.serverIp, undefined);
  assert.deepEqual(
    inventory.hosts.map((h) => [h.name, h.address]),
    [
      ['lb1', '198.18.0.11'],
      ['lb2', '198.18.0.12'],
      ['app1', '198.18.0.13'],
      ['app2', '198.18.0.14'],
      ['db1', '198.18.0.15'],
      ['db2', '198.18.0.16'],
      ['db3', '198.18.0.17'],
    ],
  );
  const config = resolveConfig(inventory);
  assert.equal(config.serverIp, '198.18.0.10');
  assert.equal(config.inventory.vip, '198.18.0.10');
});

const addrJson = JSON.stringify([
  {
    ifname: 'lo',
    flags: ['LOOPBACK', 'UP'],
    addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }],
  },
  {
    ifname: 'eth0',
    flags: ['BROADCAST', 'MULTICAST'],
    addr_info: [
      { family: 'inet', local: '198.18.0.12', prefixlen: 24 },
      { family: 'inet', local: '198.18.0.100', prefixlen: 32 },
    ],
  },
]);

test('ip -j output: links with their UP flag, addresses as ADDR/PREFIX', () => {
  assert.deepEqual(parseLinks(addrJson), [
    { name: 'lo', up: true },
    { name: 'eth0', up: false },
  ]);
  assert.deepEqual(parseAddresses(addrJson), [
    { link: 'lo', cidr: '127.0.0.1/8' },
    { link: 'eth0', cidr: '198.18.0.12/24' },
    { link: 'eth0', cidr: '198.18.0.100/32' },
  ]);
  assert.deepEqual(parseNetnsNames('[{"name":"app2","id":2},{"name":"lb1"}]'), ['app2', 'lb1']);
  assert.deepEqual(parseNetnsNames(''), []);
});

test('a reboot keeps only the host’s own address and loopback', () => {
  assert.deepEqual(runtimeAddresses(parseAddresses(addrJson), '198.18.0.12/24'), [
    { link: 'eth0', cidr: '198.18.0.100/32' },
  ]);
});

test('the lab’s mounts are found under its directory, deepest first, escapes decoded', () => {
  const mountinfo = [
    '22 1 254:0 / / rw - ext4 /dev/vda rw',
    '40 22 0:4 net:[1] /run/netns/app1 rw - nsfs nsfs rw',
    '41 22 254:0 /var/lib/webstack-lab/ns /var/lib/webstack-lab/ns rw - ext4 /dev/vda rw',
    '42 41 0:4 mnt:[2] /var/lib/webstack-lab/ns/app1.mnt rw - nsfs nsfs rw',
    '43 22 254:0 /x /var/lib/webstack-lab-other rw - ext4 /dev/vda rw',
    '44 22 254:0 /y /var/lib/webstack-lab/a\\040b rw - ext4 /dev/vda rw',
  ].join('\n');
  assert.deepEqual(mountPointsUnder(mountinfo, '/var/lib/webstack-lab'), [
    '/var/lib/webstack-lab/ns/app1.mnt',
    '/var/lib/webstack-lab/ns',
    '/var/lib/webstack-lab/a b',
  ]);
});

test('lab down removes only what lab up wrote, inside the lab directory, the state file last', () => {
  const entries = labEntries(lab);
  assert.ok(entries.every((entry) => entry.startsWith('/var/lib/webstack-lab/')));
  assert.equal(entries.at(-1), '/var/lib/webstack-lab/lab-state.json');
  assert.ok(entries.includes('/var/lib/webstack-lab/hosts'));
});
