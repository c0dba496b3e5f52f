import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createHostNamespaces,
  inHost,
  inNetnsOnly,
  ip,
  killAll,
  mount,
  parsePids,
  sshd,
  sshKeygen,
  sysctl,
} from '../../../src/stack/lab/commands.js';
import { labPaths } from '../../../src/stack/lab/paths.js';

const paths = labPaths('/var/lib/webstack-lab').host('app1');

test('the bridge gets a fixed MAC and the lab directory as its alias', () => {
  assert.deepEqual(ip.bridgeAdd('wslab0', '02:77:73:6c:61:62'), [
    'ip',
    'link',
    'add',
    'wslab0',
    'address',
    '02:77:73:6c:61:62',
    'type',
    'bridge',
  ]);
  assert.deepEqual(ip.linkAlias('wslab0', '/var/lib/webstack-lab'), [
    'ip',
    'link',
    'set',
    'dev',
    'wslab0',
    'alias',
    '/var/lib/webstack-lab',
  ]);
});

test('a veth pair is born with eth0 inside the namespace', () => {
  assert.deepEqual(ip.vethAdd('wsl-app1', 'app1'), [
    'ip',
    'link',
    'add',
    'wsl-app1',
    'type',
    'veth',
    'peer',
    'name',
    'eth0',
    'netns',
    'app1',
  ]);
});

test('ip commands inside a namespace use -n, JSON queries -j first', () => {
  assert.deepEqual(ip.addrAdd('198.18.0.12', 'eth0', 'app1'), [
    'ip',
    '-n',
    'app1',
    'addr',
    'add',
    '198.18.0.12/24',
    'dev',
    'eth0',
  ]);
  assert.deepEqual(ip.linkDown('eth0', 'app1'), ['ip', '-n', 'app1', 'link', 'set', 'dev', 'eth0', 'down']);
  assert.deepEqual(ip.linkUp('wsl-app1'), ['ip', 'link', 'set', 'dev', 'wsl-app1', 'up']);
  assert.deepEqual(ip.linkShow(undefined, 'app1'), ['ip', '-j', '-n', 'app1', 'link', 'show']);
  assert.deepEqual(ip.addrShow('app1'), ['ip', '-j', '-n', 'app1', 'addr', 'show']);
  assert.deepEqual(ip.addrDelete('198.18.0.100/32', 'eth0', 'app1'), [
    'ip',
    '-n',
    'app1',
    'addr',
    'delete',
    '198.18.0.100/32',
    'dev',
    'eth0',
  ]);
  assert.deepEqual(ip.routeGet('8.8.8.8', 'app1'), ['ip', '-n', 'app1', 'route', 'get', '8.8.8.8']);
  assert.deepEqual(ip.netnsPids('app1'), ['ip', 'netns', 'pids', 'app1']);
});

test('the persistent mount and UTS namespaces are made inside the network namespace, private', () => {
  assert.deepEqual(createHostNamespaces('app1', paths), [
    'nsenter',
    '--net=/run/netns/app1',
    '--',
    'unshare',
    '--mount=/var/lib/webstack-lab/ns/app1.mnt',
    '--uts=/var/lib/webstack-lab/ns/app1.uts',
    '--propagation',
    'private',
    'true',
  ]);
});

test('later commands enter all three of the host’s namespaces', () => {
  assert.deepEqual(inHost('app1', paths, ['hostname', 'app1']), [
    'nsenter',
    '--net=/run/netns/app1',
    '--mount=/var/lib/webstack-lab/ns/app1.mnt',
    '--uts=/var/lib/webstack-lab/ns/app1.uts',
    '--',
    'hostname',
    'app1',
  ]);
  assert.deepEqual(inNetnsOnly('app1', ['sysctl', '-a']), [
    'nsenter',
    '--net=/run/netns/app1',
    '--',
    'sysctl',
    '-a',
  ]);
});

test('inside a new mount namespace: inherited nsfs mounts go, sysfs is remounted, directories are bound', () => {
  assert.deepEqual(mount.unmountInheritedNamespaces(), ['umount', '--all', '--lazy', '--types', 'nsfs']);
  assert.deepEqual(mount.lazyUnmount('/sys'), ['umount', '--lazy', '/sys']);
  assert.deepEqual(mount.sysfs(), ['mount', '-t', 'sysfs', 'sysfs', '/sys']);
  assert.deepEqual(mount.bind(paths.state, '/var/lib/webstack'), [
    'mount',
    '--bind',
    '/var/lib/webstack-lab/hosts/app1/var-lib-webstack',
    '/var/lib/webstack',
  ]);
  assert.deepEqual(mount.makePrivate('/var/lib/webstack-lab/ns'), [
    'mount',
    '--make-private',
    '/var/lib/webstack-lab/ns',
  ]);
});

test('IPv6 off and no forwarding are sysctls, one argv element per setting', () => {
  assert.deepEqual(sysctl.ipv6Off(['all', 'default']), [
    'sysctl',
    '-q',
    '-w',
    'net.ipv6.conf.all.disable_ipv6=1',
    'net.ipv6.conf.default.disable_ipv6=1',
  ]);
  assert.deepEqual(sysctl.forwardingOff('wslab0'), [
    'sysctl',
    '-q',
    '-w',
    'net.ipv4.conf.wslab0.forwarding=0',
  ]);
});

test('sshd stays in the foreground and logs to its file; keys are ed25519 with an empty passphrase', () => {
  assert.deepEqual(sshd(paths), [
    '/usr/sbin/sshd',
    '-D',
    '-f',
    '/var/lib/webstack-lab/hosts/app1/sshd_config',
    '-E',
    '/var/lib/webstack-lab/hosts/app1/sshd.log',
  ]);
  assert.deepEqual(sshKeygen('/var/lib/webstack-lab/id_ed25519', 'webstack-lab operator'), [
    'ssh-keygen',
    '-q',
    '-t',
    'ed25519',
    '-N',
    '',
    '-C',
    'webstack-lab operator',
    '-f',
    '/var/lib/webstack-lab/id_ed25519',
  ]);
});

test('a power loss is SIGKILL, and ip netns pids output is read one PID a line', () => {
  assert.deepEqual(killAll([12, 345]), ['kill', '-KILL', '12', '345']);
  assert.deepEqual(parsePids('12\n345\n\n'), [12, 345]);
  assert.deepEqual(parsePids(''), []);
});
