import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planCluster, startSequence } from '../../../src/stack/cluster/plan.js';
import { appPeers } from '../../../src/stack/components/nginx/component.js';
import { resolveConfig } from '../../../src/stack/core/config/load.js';
import { isWebstackError } from '../../../src/stack/core/errors.js';

const host = (name: string, address: string, roles: string[], extra: object = {}) => ({
  name,
  address,
  roles,
  ...extra,
});

const threeTier = [
  host('lb1', '198.18.0.11', ['lb']),
  host('app1', '198.18.0.12', ['app']),
  host('app2', '198.18.0.13', ['app']),
  host('db1', '198.18.0.14', ['db']),
];

function errorOf(hosts: unknown): string {
  try {
    resolveConfig({ hosts });
  } catch (error) {
    assert.ok(isWebstackError(error));
    assert.equal(error.code, 'CONFIG_INVALID');
    return error.message;
  }
  assert.fail('expected the inventory to be refused');
}

test('no hosts key is a cluster of one: this machine with every role', () => {
  const { inventory } = resolveConfig({});
  assert.equal(inventory.single, true);
  assert.deepEqual(inventory.hosts, [
    { name: 'local', address: '127.0.0.1', roles: ['lb', 'app', 'db'], ssh: null },
  ]);
  const [plan] = planCluster(inventory);
  assert.deepEqual(plan?.components, ['mariadb', 'appserver', 'nginx']);
  assert.deepEqual(plan?.upstreams, [{ host: 'local', address: '127.0.0.1' }]);
  assert.deepEqual(plan?.database, { host: 'local', address: '127.0.0.1' });
});

test('a three-tier inventory: ssh defaults, and each host runs the components of its roles', () => {
  const { inventory } = resolveConfig({ hosts: threeTier });
  assert.equal(inventory.single, false);
  assert.deepEqual(inventory.hosts[1]?.ssh, { user: 'root', port: 22 });
  const plans = planCluster(inventory);
  assert.deepEqual(
    plans.map((plan) => [plan.host.name, plan.components]),
    [
      ['lb1', ['nginx']],
      ['app1', ['appserver']],
      ['app2', ['appserver']],
      ['db1', ['mariadb']],
    ],
  );
  assert.deepEqual(plans[0]?.upstreams, [
    { host: 'app1', address: '198.18.0.12' },
    { host: 'app2', address: '198.18.0.13' },
  ]);
  assert.deepEqual(plans[1]?.database, { host: 'db1', address: '198.18.0.14' });
  assert.equal(plans[3]?.database, null);
});

test('up starts the database tier first, then the application, then the front', () => {
  const { inventory } = resolveConfig({ hosts: threeTier });
  assert.deepEqual(
    startSequence(inventory).map((h) => h.name),
    ['db1', 'app1', 'app2', 'lb1'],
  );
});

test('a host with several roles runs them in start order and appears once', () => {
  const { inventory } = resolveConfig({
    hosts: [host('front', '198.18.0.11', ['lb', 'app']), host('back', '198.18.0.12', ['db', 'app'])],
  });
  assert.deepEqual(
    planCluster(inventory).map((plan) => plan.components),
    [
      ['appserver', 'nginx'],
      ['mariadb', 'appserver'],
    ],
  );
  assert.deepEqual(
    startSequence(inventory).map((h) => h.name),
    ['back', 'front'],
  );
});

test('an unknown role is refused, naming the key and the roles there are', () => {
  assert.equal(
    errorOf([host('web1', '198.18.0.11', ['web'])]),
    'config key "hosts.0.roles.0" has the value "web": must be one of lb, app, db',
  );
});

test('a missing address is refused, naming the key', () => {
  assert.equal(
    errorOf([{ name: 'app1', roles: ['app'] }]),
    'config key "hosts.0.address" has the value undefined: is required',
  );
});

test('a duplicate name or address is refused, naming both hosts', () => {
  assert.equal(
    errorOf([...threeTier, host('app1', '198.18.0.20', ['app'])]),
    'config key "hosts.4.name" has the value "app1": is already the name of hosts.1; every host needs its own name',
  );
  assert.equal(
    errorOf([...threeTier, host('app3', '198.18.0.12', ['app'])]),
    'config key "hosts.4.address" has the value "198.18.0.12": is already the address of hosts.1; every host needs its own address',
  );
});

test('an inventory without an app host, or without any role, is refused', () => {
  assert.match(
    errorOf([host('lb1', '198.18.0.11', ['lb']), host('db1', '198.18.0.14', ['db'])]),
    /has the value \["lb1","db1"\]: no host has the role "app"; give at least one host that role$/,
  );
  assert.match(
    errorOf([host('app1', '198.18.0.12', ['app']), host('db1', '198.18.0.14', ['db'])]),
    /no host has the role "lb"; give at least one host that role$/,
  );
});

test('two db hosts are refused: Galera needs an odd number', () => {
  assert.match(
    errorOf([...threeTier, host('db2', '198.18.0.15', ['db'])]),
    /"hosts" has the value \["db1","db2"\]: hold the role "db": a replicated database \(Galera\) needs an odd number of db hosts/,
  );
});

function errorOfConfig(raw: object): string {
  try {
    resolveConfig(raw);
  } catch (error) {
    assert.ok(isWebstackError(error));
    assert.equal(error.code, 'CONFIG_INVALID');
    return error.message;
  }
  assert.fail('expected the config to be refused');
}

const twoLbs = [...threeTier, host('lb2', '198.18.0.16', ['lb'])];

test('two lb hosts share the floating address: keepalived after Nginx, each with the other as its peer', () => {
  const config = resolveConfig({ hosts: twoLbs, vip: '198.18.0.10' });
  assert.equal(config.inventory.vip, '198.18.0.10');
  // The zone points at the floating address when serverIp is not set.
  assert.equal(config.serverIp, '198.18.0.10');
  assert.deepEqual(config.vrrp, { routerId: 51, advertIntervalMs: 200 });
  const plans = planCluster(config.inventory);
  const byName = new Map(plans.map((plan) => [plan.host.name, plan]));
  assert.deepEqual(byName.get('lb1')?.components, ['nginx', 'keepalived']);
  assert.deepEqual(byName.get('lb1')?.vrrp, {
    vip: '198.18.0.10',
    address: '198.18.0.11',
    peer: { host: 'lb2', address: '198.18.0.16' },
  });
  assert.deepEqual(byName.get('lb2')?.vrrp?.peer, { host: 'lb1', address: '198.18.0.11' });
  assert.equal(byName.get('app1')?.vrrp, null);
  // Both lbs are the app hosts' proxies (the app port's firewall, the trusted proxies).
  assert.deepEqual(
    byName.get('app1')?.clients.app.map((c) => c.host),
    ['lb1', 'lb2'],
  );
  // An operator who names serverIp (a NAT's public address, say) keeps it for the zone.
  assert.equal(
    resolveConfig({ hosts: twoLbs, vip: '198.18.0.10', serverIp: '192.0.2.7' }).serverIp,
    '192.0.2.7',
  );
});

test('the floating address is refused where it cannot work', () => {
  assert.match(
    errorOfConfig({ hosts: twoLbs }),
    /^config key "vip" has the value undefined: is required with two lb hosts \(lb1, lb2\)/,
  );
  assert.match(
    errorOfConfig({ hosts: threeTier, vip: '198.18.0.10' }),
    /"vip" has the value "198.18.0.10": needs two lb hosts; give a second host the role "lb"/,
  );
  assert.match(errorOfConfig({ vip: '198.18.0.10' }), /"vip" .*a single server has no floating address/);
  assert.match(
    errorOfConfig({ hosts: twoLbs, vip: '198.18.0.13' }),
    /"vip" has the value "198.18.0.13": is the address of hosts.2; the floating address must be one no host has/,
  );
  assert.match(errorOfConfig({ hosts: twoLbs, vip: 'lb.example' }), /"vip" has the value "lb.example"/);
  assert.match(
    errorOfConfig({ hosts: [...twoLbs, host('lb3', '198.18.0.17', ['lb'])], vip: '198.18.0.10' }),
    /\["lb1","lb2","lb3"\]: hold the role "lb": at most two load balancers share the floating address/,
  );
  assert.match(
    errorOfConfig({ hosts: twoLbs, vip: '198.18.0.10', http: { listen: '198.18.0.11' } }),
    /"http.listen" has the value "198.18.0.11": must be 0.0.0.0 with a floating address/,
  );
  assert.match(
    errorOfConfig({ hosts: twoLbs, vip: '198.18.0.10', vrrp: { advertIntervalMs: 205 } }),
    /"vrrp.advertIntervalMs" has the value 205/,
  );
});

test('an unknown ssh key is refused', () => {
  assert.equal(
    errorOf([host('app1', '198.18.0.12', ['app', 'lb', 'db'], { ssh: { password: 'x' } })]),
    'config key "hosts.0.ssh.password" has the value "x": is not a known key',
  );
});

test('a host sees the cluster from where it stands: its app listens on its address, the db is the db host', () => {
  const hosts = [
    { name: 'lb1', address: '198.18.0.11', roles: ['lb'] },
    { name: 'app1', address: '198.18.0.12', roles: ['app'] },
    { name: 'app2', address: '198.18.0.13', roles: ['app'] },
    { name: 'db1', address: '198.18.0.14', roles: ['db'] },
  ];
  const operator = resolveConfig({ hosts }, '/etc/webstack/cluster.json');
  assert.equal(operator.here, null);
  assert.equal(operator.operatorDir, '/etc/webstack/.webstack');
  const app2 = resolveConfig({ hosts, self: 'app2' });
  assert.deepEqual(app2.here?.components, ['appserver']);
  assert.equal(app2.app.host, '198.18.0.13');
  assert.equal(app2.database.host, '198.18.0.14');
  assert.deepEqual(app2.here?.clients, { app: [{ host: 'lb1', address: '198.18.0.11' }], db: [] });
  const db1 = resolveConfig({ hosts, self: 'db1' });
  assert.equal(db1.database.host, '198.18.0.14', 'the db host binds its own address');
  assert.deepEqual(
    db1.here?.clients.db.map((c) => c.address),
    ['198.18.0.12', '198.18.0.13'],
  );
  const lb1 = resolveConfig({ hosts, self: 'lb1' });
  assert.deepEqual(
    appPeers(lb1).map((p) => `${p.host}:${p.port} ${p.maxFails} ${p.failTimeoutSeconds}`),
    ['198.18.0.12:3000 1 10', '198.18.0.13:3000 1 10'],
    'each app host once, marked down after a failure',
  );
  assert.throws(
    () => resolveConfig({ hosts, self: 'web9' }),
    (error: unknown) =>
      isWebstackError(error) && error.code === 'CONFIG_INVALID' && /self/.test(error.message),
  );
});

test('a single server is the one local host with every component, and its peers as before', () => {
  const config = resolveConfig({ app: { workers: 2 } });
  assert.deepEqual(config.here?.components, ['mariadb', 'appserver', 'nginx']);
  assert.equal(config.app.host, '127.0.0.1');
  assert.equal(appPeers(config).length, 6);
  assert.ok(appPeers(config).every((p) => p.maxFails === 0 && p.failTimeoutSeconds === undefined));
});

test('an app host being deployed is out of the lb rotation (`down`), the others stay in it', () => {
  const hosts = [
    { name: 'lb1', address: '198.18.0.11', roles: ['lb'] },
    { name: 'app1', address: '198.18.0.12', roles: ['app'] },
    { name: 'app2', address: '198.18.0.13', roles: ['app'] },
    { name: 'db1', address: '198.18.0.14', roles: ['db'] },
  ];
  const lb1 = resolveConfig({ hosts, self: 'lb1' });
  assert.deepEqual(
    appPeers(lb1, new Set(['app1'])).map((p) => [p.host, p.down === true]),
    [
      ['198.18.0.12', true],
      ['198.18.0.13', false],
    ],
  );
});

test('across hosts an address is an IPv4 literal: a host name or IPv6 is refused with the key', () => {
  for (const address of ['app1.example.com', '2001:db8::1']) {
    assert.throws(
      () =>
        resolveConfig({
          hosts: [
            { name: 'lb1', address: '198.18.0.11', roles: ['lb'] },
            { name: 'app1', address, roles: ['app', 'db'] },
          ],
        }),
      (error: unknown) =>
        isWebstackError(error) &&
        error.code === 'CONFIG_INVALID' &&
        error.message.includes('hosts.1.address') &&
        error.message.includes('IPv4'),
    );
  }
});

test('ACME across hosts: the first lb issues the certificate, the other lb takes it from there', () => {
  const config = resolveConfig({ hosts: twoLbs, vip: '198.18.0.10', https: { acme: {} } });
  assert.equal(config.https.enabled, true);
  assert.equal(config.https.acme?.peerPort, 8444);
  const byName = new Map(planCluster(config.inventory).map((plan) => [plan.host.name, plan]));
  const lb1 = { host: 'lb1', address: '198.18.0.11' };
  const lb2 = { host: 'lb2', address: '198.18.0.16' };
  assert.deepEqual(byName.get('lb1')?.certificates, { issuer: lb1, followers: [lb2] });
  assert.deepEqual(byName.get('lb2')?.certificates, { issuer: lb1, followers: [lb2] });
  assert.equal(byName.get('app1')?.certificates, null);
  // One lb: it issues for itself, as a single server does.
  const one = planCluster(resolveConfig({ hosts: threeTier, https: { acme: {} } }).inventory);
  assert.deepEqual(one.find((plan) => plan.host.name === 'lb1')?.certificates, {
    issuer: lb1,
    followers: [],
  });
});
