import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planCluster } from '../../../src/stack/cluster/plan.js';
import { firewallInputFor } from '../../../src/stack/components/firewall/peers.js';
import { firewallTable } from '../../../src/stack/components/firewall/rules.js';
import {
  type GaleraOptions,
  galeraServerLines,
  markSafeToBootstrap,
  parseGraState,
  parseRecoveredPosition,
  providerOptions,
  sstSection,
} from '../../../src/stack/components/galera/cnf.js';
import {
  chooseBootstrap,
  mayJoin,
  type NodeView,
  serves,
} from '../../../src/stack/components/galera/view.js';
import { renderHaproxyConf } from '../../../src/stack/components/haproxy/conf.js';
import { renderMyCnf } from '../../../src/stack/components/mariadb/my-cnf.js';
import { resolveInventory } from '../../../src/stack/core/config/inventory.js';
import { isWebstackError } from '../../../src/stack/core/errors.js';

const node: GaleraOptions = {
  clusterName: 'webstack-foobar.com',
  nodeName: 'db2',
  nodeAddress: '198.18.0.15',
  nodes: ['198.18.0.14', '198.18.0.15', '198.18.0.16'],
  gcacheMb: 64,
  suspectTimeoutMs: 2_000,
  sst: { user: 'webstack_sst', password: 'Zx9_secret-value' },
  tls: { certificate: '/s/tls/server.crt', key: '/s/tls/server.key', ca: '/s/tls/ca.crt' },
  sstLogDir: '/s/mariadb/sst-log',
};

const code = (c: string) => (error: unknown) => isWebstackError(error) && error.code === c;

test('a node’s my.cnf: wsrep on, the cluster from the inventory, ROW, autoinc 2, mariabackup, primary keys required', () => {
  const lines = galeraServerLines(node);
  for (const line of [
    'wsrep_on = ON',
    'wsrep_provider = /usr/lib/galera/libgalera_smm.so',
    'wsrep_cluster_name = webstack-foobar.com',
    'wsrep_cluster_address = gcomm://198.18.0.14:4567,198.18.0.15:4567,198.18.0.16:4567',
    'wsrep_node_address = 198.18.0.15',
    'binlog_format = ROW',
    'innodb_autoinc_lock_mode = 2',
    'wsrep_sst_method = mariabackup',
    'wsrep_sst_auth = webstack_sst:Zx9_secret-value',
    'wsrep_mode = REQUIRED_PRIMARY_KEY',
  ])
    assert.ok(lines.includes(line), line);
  const cnf = renderMyCnf({
    dataDir: '/s/mariadb/data',
    socket: '/s/run/m.sock',
    pidFile: '/s/run/m.pid',
    errorLog: '/s/logs/m.log',
    port: 3307,
    bindAddress: '198.18.0.15',
    collation: 'utf8mb4_uca1400_ai_ci',
    galera: node,
  });
  assert.match(cnf, /\[sst\]\nssl-mode = VERIFY_CA\nssl-ca = \/s\/tls\/ca.crt/);
  assert.deepEqual(sstSection(node).slice(0, 2), ['[sst]', 'ssl-mode = VERIFY_CA']);
});

test('provider options: gcache from config, the suspect timeout with keepalives inside it, replication over TLS', () => {
  assert.equal(
    providerOptions(node),
    'gcache.size=64M;evs.suspect_timeout=PT2S;evs.keepalive_period=PT0.5S;evs.inactive_check_period=PT0.5S;' +
      'gmcast.listen_addr=tcp://198.18.0.15:4567;ist.recv_addr=198.18.0.15:4568;socket.ssl=yes;' +
      'socket.ssl_cert=/s/tls/server.crt;socket.ssl_key=/s/tls/server.key;socket.ssl_ca=/s/tls/ca.crt',
  );
  // A ; in a path would end the option and start another.
  assert.throws(
    () => providerOptions({ ...node, tls: { ...node.tls, key: '/s/k;evs.suspect_timeout=PT1H' } }),
    code('GALERA_OPTION_INVALID'),
  );
  assert.throws(
    () => galeraServerLines({ ...node, nodes: ['198.18.0.14', '198.18.0.15'] }),
    code('GALERA_NODES_INVALID'),
  );
  assert.throws(
    () => galeraServerLines({ ...node, nodeAddress: '198.18.0.99' }),
    code('GALERA_NODES_INVALID'),
  );
});

test('grastate.dat: parsed, marked safe to bootstrap; --wsrep-recover’s position read from its log', () => {
  const text =
    '# GALERA saved state\nversion: 2.1\nuuid:    5f0a4a5e-2f1c-11ef-9a4b-2b0c7c1d8e9f\nseqno:   -1\nsafe_to_bootstrap: 0\n';
  assert.deepEqual(parseGraState(text), {
    uuid: '5f0a4a5e-2f1c-11ef-9a4b-2b0c7c1d8e9f',
    seqno: -1,
    safeToBootstrap: false,
  });
  assert.equal(parseGraState(markSafeToBootstrap(text))?.safeToBootstrap, true);
  assert.equal(parseGraState(null), null);
  assert.equal(parseGraState('garbage'), null);
  const log =
    '2026-12-02 [Note] WSREP: Recovered position: 5f0a4a5e-2f1c-11ef-9a4b-2b0c7c1d8e9f:1234\n[Note] done\n';
  assert.deepEqual(parseRecoveredPosition(log), {
    uuid: '5f0a4a5e-2f1c-11ef-9a4b-2b0c7c1d8e9f',
    seqno: 1234,
  });
  assert.equal(parseRecoveredPosition('nothing here'), null);
});

const view = (name: string, change: Partial<NodeView>): NodeView => ({
  node: name,
  state: 'synced',
  primary: true,
  ready: true,
  clusterSize: 3,
  position: null,
  draining: false,
  serving: true,
  detail: '',
  ...change,
});
const waiting = (name: string, seqno: number, safe = false): NodeView =>
  view(name, {
    state: 'waiting',
    primary: false,
    ready: false,
    serving: false,
    clusterSize: 0,
    position: { uuid: '5f0a4a5e-2f1c-11ef-9a4b-2b0c7c1d8e9f', seqno, safeToBootstrap: safe },
  });

test('serving: Synced in the primary component, or a Donor left alone; never outside a primary', () => {
  assert.equal(serves(view('a', {})), true);
  assert.equal(serves(view('a', { state: 'donor', clusterSize: 2 })), false);
  assert.equal(serves(view('a', { state: 'donor', clusterSize: 1 })), true);
  assert.equal(serves(view('a', { primary: false })), false);
  assert.equal(serves(view('a', { ready: false })), false);
});

test('joining: only behind a serving primary, never during another transfer, waiting nodes in inventory order', () => {
  // db1 serves, db3 waits too: db2 (index 1) goes first.
  assert.equal(mayJoin(1, [view('db1', {}), null, waiting('db3', 5)]), true);
  assert.equal(mayJoin(2, [view('db1', {}), waiting('db2', 5), null]), false);
  // A transfer in progress (a donor, a joiner) holds everyone else back.
  assert.equal(
    mayJoin(2, [view('db1', { state: 'donor' }), view('db2', { state: 'joining', serving: false }), null]),
    false,
  );
  // Nothing to join: nobody in a primary component.
  assert.equal(mayJoin(0, [null, waiting('db2', 5), waiting('db3', 7)]), false);
  assert.equal(mayJoin(0, [null, null, null]), false);
});

test('bootstrap: the node marked safe, else the most advanced; refused with a silent node or a running primary', () => {
  const names = ['db1', 'db2', 'db3'];
  assert.equal(chooseBootstrap([waiting('db1', 10), waiting('db2', 12), waiting('db3', 11)], names), 1);
  assert.equal(chooseBootstrap([waiting('db1', 10), waiting('db2', 12), waiting('db3', 9, true)], names), 2);
  // A cluster that never ran starts from the first node.
  assert.equal(chooseBootstrap([waiting('db1', -1), waiting('db2', -1), waiting('db3', -1)], names), 0);
  assert.throws(
    () => chooseBootstrap([waiting('db1', 10), null, waiting('db3', 11)], names),
    code('GALERA_NODE_SILENT'),
  );
  assert.throws(
    () => chooseBootstrap([waiting('db1', 10), view('db2', { clusterSize: 1 }), waiting('db3', 11)], names),
    code('GALERA_PRIMARY_EXISTS'),
  );
  const other = {
    ...waiting('db3', 40),
    position: { uuid: '11111111-2f1c-11ef-9a4b-2b0c7c1d8e9f', seqno: 40, safeToBootstrap: false },
  };
  assert.throws(
    () => chooseBootstrap([waiting('db1', 10), waiting('db2', 12), other], names),
    code('GALERA_CLUSTERS_DIFFER'),
  );
});

test('HAProxy: TCP, one writer and the others backup, HTTP checks on the agent, sessions cut when a node leaves, sticky', () => {
  const conf = renderHaproxyConf({
    listen: { address: '127.0.0.1', port: 3307 },
    servers: [
      { name: 'db1', address: '198.18.0.14', port: 3307 },
      { name: 'db2', address: '198.18.0.15', port: 3307 },
      { name: 'db3', address: '198.18.0.16', port: 3307 },
    ],
    checkPort: 9200,
    pidFile: '/s/run/haproxy/haproxy.pid',
    statsSocket: '/s/run/haproxy/admin.sock',
  });
  for (const line of [
    '    mode tcp',
    '    bind 127.0.0.1:3307',
    '    option httpchk GET /',
    '    http-check expect status 200',
    '    stick on dst',
    '    default-server inter 1s fastinter 250ms fall 2 rise 2 port 9200 on-marked-down shutdown-sessions',
    '    server db1 198.18.0.14:3307 check',
    '    server db2 198.18.0.15:3307 check backup',
    '    server db3 198.18.0.16:3307 check backup',
  ])
    assert.ok(conf.split('\n').includes(line), line);
  assert.throws(
    () =>
      renderHaproxyConf({
        listen: { address: '127.0.0.1', port: 3307 },
        servers: [{ name: 'db1\n    server evil', address: '198.18.0.14', port: 3307 }],
        checkPort: 9200,
        pidFile: '/p',
        statsSocket: '/s',
      }),
    code('HAPROXY_CONF_INVALID'),
  );
});

const inventory = (dbs: number) =>
  resolveInventory([
    { name: 'lb1', address: '198.18.0.11', roles: ['lb'], ssh: { user: 'root', port: 22 } },
    { name: 'app1', address: '198.18.0.12', roles: ['app'], ssh: { user: 'root', port: 22 } },
    ...Array.from({ length: dbs }, (_, i) => ({
      name: `db${i + 1}`,
      address: `198.18.0.${14 + i}`,
      roles: ['db' as const],
      ssh: { user: 'root', port: 22 },
    })),
  ]);

test('the inventory: 1, 3 or 5 db hosts; 2 or 4 refused (no majority survives a loss)', () => {
  for (const n of [1, 3, 5]) assert.equal(inventory(n).hosts.length, n + 2);
  for (const n of [2, 4]) assert.throws(() => inventory(n), /odd number of db hosts, 3 or more/);
});

test('three db hosts: each app host runs HAProxy before the app and reaches the cluster on loopback; the db hosts know their peers', () => {
  const plans = planCluster(inventory(3));
  const app = plans.find((plan) => plan.host.name === 'app1');
  assert.deepEqual(app?.components, ['haproxy', 'appserver']);
  assert.deepEqual(app?.database, { host: 'haproxy', address: '127.0.0.1' });
  assert.deepEqual(
    plans.find((plan) => plan.host.name === 'db2')?.galera?.map((n) => n.address),
    ['198.18.0.14', '198.18.0.15', '198.18.0.16'],
  );
  // One db host: as before.
  const single = planCluster(inventory(1)).find((plan) => plan.host.name === 'app1');
  assert.deepEqual(single?.components, ['appserver']);
  assert.equal(single?.galera, null);
});

test('a db node’s firewall: Galera’s ports from its peers only, the agent from app hosts and peers, MariaDB from app hosts', () => {
  const inv = inventory(3);
  const db2 = inv.hosts.find((host) => host.name === 'db2');
  assert.ok(db2);
  const table = firewallTable(
    firewallInputFor(inv, db2, { app: 3000, db: 3307, galera: [4567, 4568, 4444], galeraCheck: 9200 }),
  );
  const set = (name: string) => table.sets.find((s) => s.name === name)?.elements;
  assert.deepEqual(set('galera_v4'), ['198.18.0.14', '198.18.0.16']);
  assert.deepEqual(set('galera_check_v4'), ['198.18.0.12', '198.18.0.14', '198.18.0.16']);
  assert.deepEqual(set('db_v4'), ['198.18.0.12']);
  for (const port of [4567, 4568, 4444, 9200])
    assert.ok(table.rules.includes(`tcp dport ${port} counter drop`));
});
