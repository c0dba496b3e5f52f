import { WebstackError } from '../../core/errors.js';
import { type GaleraOptions, galeraServerLines, sstSection } from '../galera/cnf.js';

/** What webstack's own MariaDB server needs to know; every path is absolute. */
export interface MyCnfOptions {
  dataDir: string;
  socket: string;
  pidFile: string;
  errorLog: string;
  port: number;
  bindAddress: string;
  /** Server collation; see collationFor(). */
  collation: string;
  /** Defaults fit a 2-core box that also runs Nginx and the Node.js workers. */
  bufferPoolMb?: number;
  maxConnections?: number;
  /** Binary log base name (absolute); omitted means no binary log. */
  binlog?: string;
  /** The server's certificate and key (issued by the cluster CA) and that CA, for TLS over TCP. */
  tls?: { certificate: string; key: string; ca: string };
  /** Largest statement or row, for the server and the dump/load tools (see maxAllowedPacketMb). Default 64. */
  maxAllowedPacketMb?: number;
  /** A node of a Galera cluster (three or more db hosts). */
  galera?: GaleraOptions;
}

/** MariaDB refuses a larger max_allowed_packet. */
export const MAX_ALLOWED_PACKET_LIMIT_MB = 1024;

/**
 * Uploads are rows: an INSERT from the site carries the bytes hex-escaped (mysql2 escapes a
 * Buffer as X'…'), and so does each row of a --hex-blob dump being loaded back. So a packet must
 * hold twice the largest upload, plus the statement around it; never less than 64 MiB.
 */
export function maxAllowedPacketMb(uploadMaxBytes: number): number {
  const needed = Math.ceil((2 * uploadMaxBytes) / (1024 * 1024)) + 16;
  return Math.min(MAX_ALLOWED_PACKET_LIMIT_MB, Math.max(64, needed));
}

/** TLS 1.0 and 1.1 are off: every client webstack runs (mysql2 on Node 20) speaks 1.2 and 1.3. */
export const TLS_VERSIONS = 'TLSv1.2,TLSv1.3';

/**
 * Strict mode so bad data is an error instead of a silent truncation. NO_BACKSLASH_ESCAPES is
 * deliberately absent: mysql2 escapes values client-side with backslashes.
 */
export const SQL_MODE = [
  'STRICT_TRANS_TABLES',
  'STRICT_ALL_TABLES',
  'ERROR_FOR_DIVISION_BY_ZERO',
  'NO_ZERO_DATE',
  'NO_ZERO_IN_DATE',
  'NO_ENGINE_SUBSTITUTION',
  'ONLY_FULL_GROUP_BY',
].join(',');

/**
 * The Unicode 14 collation arrived in MariaDB 10.10; older servers get the classic one.
 * `version` is what `mariadbd --version` or SELECT VERSION() reports.
 */
export function collationFor(version: string): string {
  const match = /(\d+)\.(\d+)\.\d+/.exec(version);
  const major = Number(match?.[1] ?? 0);
  const minor = Number(match?.[2] ?? 0);
  const hasUca1400 = /mariadb/i.test(version) && (major > 10 || (major === 10 && minor >= 10));
  return hasUca1400 ? 'utf8mb4_uca1400_ai_ci' : 'utf8mb4_unicode_ci';
}

/** The server's private temp dir, beside its data directory. */
export function mariadbTmpDir(dataDir: string): string {
  return `${dataDir.replace(/\/+$/, '').replace(/\/[^/]*$/, '')}/tmp`;
}

/**
 * Renders the my.cnf passed to mariadbd with --defaults-file, so no system config is read.
 * Durable: every commit is flushed to disk before it is acknowledged.
 */
export function renderMyCnf(options: MyCnfOptions): string {
  for (const path of [
    options.dataDir,
    options.socket,
    options.pidFile,
    options.errorLog,
    options.binlog ?? '/',
    options.tls?.certificate ?? '/',
    options.tls?.key ?? '/',
    options.tls?.ca ?? '/',
    options.galera?.sstLogDir ?? '/',
  ]) {
    // An option file has no escaping for these; refuse rather than write a config that means something else.
    if (!/^\/[^\n\r#;"'\\]*$/.test(path)) throw new WebstackError('MY_CNF_PATH', JSON.stringify(path));
  }
  const packet = `max_allowed_packet = ${options.maxAllowedPacketMb ?? 64}M`;
  const server = [
    '[mariadbd]',
    `datadir = ${options.dataDir}`,
    `socket = ${options.socket}`,
    `pid-file = ${options.pidFile}`,
    `log-error = ${options.errorLog}`,
    // Its own temp dir: servers sharing /tmp have collided on their #sql-temptable files.
    `tmpdir = ${mariadbTmpDir(options.dataDir)}`,
    `port = ${options.port}`,
    `bind-address = ${options.bindAddress}`,
    'skip-name-resolve',
    'local-infile = 0',
    '',
    'character-set-server = utf8mb4',
    `collation-server = ${options.collation}`,
    `sql_mode = ${SQL_MODE}`,
    '',
    'default-storage-engine = InnoDB',
    'innodb_file_per_table = 1',
    'innodb_flush_log_at_trx_commit = 1',
    'innodb_doublewrite = 1',
    `innodb_buffer_pool_size = ${options.bufferPoolMb ?? 128}M`,
    'innodb_log_file_size = 64M',
    '',
    `max_connections = ${options.maxConnections ?? 200}`,
    packet,
    // Saves about 100 MB of RAM on a small box; webstack reads health from SHOW STATUS.
    'performance_schema = OFF',
  ];
  if (options.binlog !== undefined) {
    server.push(
      '',
      `log-bin = ${options.binlog}`,
      'binlog_format = ROW',
      'sync_binlog = 1',
      'expire_logs_days = 7',
    );
  }
  if (options.tls !== undefined) {
    // Offered on every TCP connection; the accounts of remote hosts are REQUIRE SSL (provision.ts).
    server.push(
      '',
      `ssl_cert = ${options.tls.certificate}`,
      `ssl_key = ${options.tls.key}`,
      `ssl_ca = ${options.tls.ca}`,
      `tls_version = ${TLS_VERSIONS}`,
    );
  }
  if (options.galera !== undefined) server.push('', ...galeraServerLines(options.galera));
  const sst = options.galera === undefined ? '' : `\n\n${sstSection(options.galera).join('\n')}`;
  // The client group lets `mariadb --defaults-file=...` and mariadb-dump find this server.
  const client = [
    '[client]',
    `socket = ${options.socket}`,
    `port = ${options.port}`,
    'default-character-set = utf8mb4',
  ];
  // The client tools default to 16 MiB: raised for the ones that dump (mariadb-dump reads each row
  // whole) and load (mariadb) big rows. Not in [client]: mariadb-admin reads it too, knows no
  // max_allowed_packet and would refuse to start.
  const tools = ['[mysql]', packet, '', '[mysqldump]', packet];
  return `${server.join('\n')}${sst}\n\n${client.join('\n')}\n\n${tools.join('\n')}\n`;
}
