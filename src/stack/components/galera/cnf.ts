import { WebstackError } from '../../core/errors.js';

/** Galera's own ports: group communication, incremental state transfer, snapshot transfer. */
export const GALERA_PORTS = { replication: 4567, ist: 4568, sst: 4444 } as const;

/** The health agent's port on each db host (HAProxy's check, and the joiners' view of their peers). */
export const GALERA_CHECK_PORT = 9200;

export const GALERA_PROVIDER = '/usr/lib/galera/libgalera_smm.so';

/** The account mariabackup uses on a donor: only what a hot backup needs (checked by a test). */
export const SST_DB_USER = 'webstack_sst';
export const SST_PRIVILEGES = ['RELOAD', 'PROCESS', 'LOCK TABLES', 'BINLOG MONITOR'] as const;

/** What one node of a cluster needs to know; every path is absolute. */
export interface GaleraOptions {
  clusterName: string;
  nodeName: string;
  nodeAddress: string;
  /** Every node's address, this one's included, in inventory order. */
  nodes: readonly string[];
  gcacheMb: number;
  /** How long a silent peer is suspected before it is dropped: writes block that long (evs.suspect_timeout). */
  suspectTimeoutMs: number;
  sst: { user: string; password: string };
  /** The node's certificate and key (issued by the cluster CA, for server and client use) and that CA. */
  tls: { certificate: string; key: string; ca: string };
  /** Where SST logs of earlier transfers are kept (not /tmp). */
  sstLogDir: string;
}

/** ISO 8601 duration of whole milliseconds, as Galera's options take them (PT2S, PT1.5S). */
export function isoDuration(ms: number): string {
  return `PT${Number((ms / 1000).toFixed(3))}S`;
}

/**
 * The wsrep provider's options. Every value is checked: the string is one `;`-separated list, so
 * a `;` or `"` in a value would change its meaning.
 */
export function providerOptions(o: GaleraOptions): string {
  const options: [string, string][] = [
    ['gcache.size', `${o.gcacheMb}M`],
    ['evs.suspect_timeout', isoDuration(o.suspectTimeoutMs)],
    // Galera wants keepalives (and inactivity checks) well inside the suspect timeout: under a third.
    ['evs.keepalive_period', isoDuration(Math.floor(o.suspectTimeoutMs / 4))],
    ['evs.inactive_check_period', isoDuration(Math.floor(o.suspectTimeoutMs / 4))],
    ['gmcast.listen_addr', `tcp://${o.nodeAddress}:${GALERA_PORTS.replication}`],
    ['ist.recv_addr', `${o.nodeAddress}:${GALERA_PORTS.ist}`],
    ['socket.ssl', 'yes'],
    ['socket.ssl_cert', o.tls.certificate],
    ['socket.ssl_key', o.tls.key],
    ['socket.ssl_ca', o.tls.ca],
  ];
  for (const [name, value] of options)
    if (!/^[A-Za-z0-9_./:-]+$/.test(value)) throw new WebstackError('GALERA_OPTION_INVALID', name, value);
  return options.map(([name, value]) => `${name}=${value}`).join(';');
}

/** The lines of the [mariadbd] group that make the server a node of the cluster. */
export function galeraServerLines(o: GaleraOptions): string[] {
  if (o.nodes.length < 3 || o.nodes.length % 2 === 0 || !o.nodes.includes(o.nodeAddress))
    throw new WebstackError('GALERA_NODES_INVALID', o.nodes.join(', '), o.nodeAddress);
  for (const [name, value] of [
    ['wsrep_cluster_name', o.clusterName],
    ['wsrep_node_name', o.nodeName],
    ['wsrep_sst_auth', `${o.sst.user}:${o.sst.password}`],
  ] as const)
    if (!/^[A-Za-z0-9_:.-]+$/.test(value)) throw new WebstackError('GALERA_OPTION_INVALID', name, value);
  return [
    'wsrep_on = ON',
    `wsrep_provider = ${GALERA_PROVIDER}`,
    `wsrep_cluster_name = ${o.clusterName}`,
    `wsrep_cluster_address = gcomm://${o.nodes.map((a) => `${a}:${GALERA_PORTS.replication}`).join(',')}`,
    `wsrep_node_name = ${o.nodeName}`,
    `wsrep_node_address = ${o.nodeAddress}`,
    `wsrep_sst_receive_address = ${o.nodeAddress}:${GALERA_PORTS.sst}`,
    `wsrep_provider_options = "${providerOptions(o)}"`,
    // mariabackup copies a running donor; rsync would hold a read lock on it for the whole copy.
    'wsrep_sst_method = mariabackup',
    `wsrep_sst_auth = ${o.sst.user}:${o.sst.password}`,
    // Row events replicate; interleaved auto-increment locks never block a replicated insert.
    'binlog_format = ROW',
    'innodb_autoinc_lock_mode = 2',
    // A table without a primary key replicates row by row with a full scan on every node.
    'wsrep_mode = REQUIRED_PRIMARY_KEY',
    'wsrep_slave_threads = 2',
  ];
}

/** The [sst] group: the snapshot travels over TLS (socat), both ends verified against the cluster CA. */
export function sstSection(o: GaleraOptions): string[] {
  return [
    '[sst]',
    'ssl-mode = VERIFY_CA',
    `ssl-ca = ${o.tls.ca}`,
    `ssl-cert = ${o.tls.certificate}`,
    `ssl-key = ${o.tls.key}`,
    `sst-log-archive-dir = ${o.sstLogDir}`,
  ];
}

/** What grastate.dat says of the node's last committed position. */
export interface GraState {
  uuid: string;
  seqno: number;
  safeToBootstrap: boolean;
}

/** The cluster UUID of a node that never joined one. */
export const NO_CLUSTER = '00000000-0000-0000-0000-000000000000';

/** Parses grastate.dat; null for a missing or unreadable file. */
export function parseGraState(text: string | null): GraState | null {
  if (text === null) return null;
  const field = (name: string) => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(text)?.[1];
  const uuid = field('uuid');
  const seqno = Number(field('seqno'));
  if (uuid === undefined || !Number.isInteger(seqno)) return null;
  return { uuid, seqno, safeToBootstrap: field('safe_to_bootstrap') === '1' };
}

/** grastate.dat with safe_to_bootstrap set (the rest of the file as it was). */
export function markSafeToBootstrap(text: string): string {
  return /^safe_to_bootstrap:/m.test(text)
    ? text.replace(/^safe_to_bootstrap:.*$/m, 'safe_to_bootstrap: 1')
    : `${text.replace(/\n?$/, '\n')}safe_to_bootstrap: 1\n`;
}

/** The position `mariadbd --wsrep-recover` writes to its log: "WSREP: Recovered position: UUID:SEQNO". */
export function parseRecoveredPosition(log: string): { uuid: string; seqno: number } | null {
  const matches = [...log.matchAll(/Recovered position:\s+([0-9a-f-]{36}):(-?\d+)/g)];
  const last = matches.at(-1);
  if (!last?.[1] || last[2] === undefined) return null;
  return { uuid: last[1], seqno: Number(last[2]) };
}
