import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  collationFor,
  type MyCnfOptions,
  maxAllowedPacketMb,
  renderMyCnf,
} from '../../../src/stack/components/mariadb/my-cnf.js';

const options: MyCnfOptions = {
  dataDir: '/var/lib/webstack/mariadb/data',
  socket: '/var/lib/webstack/run/mariadb/mariadb.sock',
  pidFile: '/var/lib/webstack/run/mariadb/mariadb.pid',
  errorLog: '/var/lib/webstack/logs/mariadb.log',
  port: 3307,
  bindAddress: '127.0.0.1',
  collation: 'utf8mb4_uca1400_ai_ci',
};

function settings(text: string, group: string): Map<string, string> {
  const section = text.split(/^\[/m).find((part) => part.startsWith(`${group}]`)) ?? '';
  const entries = section
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [key = '', ...rest] = line.split('=');
      return [key.trim(), rest.join('=').trim()] as const;
    });
  return new Map(entries);
}

test('the server group names its own files, port and loopback address', () => {
  const server = settings(renderMyCnf(options), 'mariadbd');
  assert.equal(server.get('datadir'), options.dataDir);
  assert.equal(server.get('socket'), options.socket);
  assert.equal(server.get('pid-file'), options.pidFile);
  assert.equal(server.get('log-error'), options.errorLog);
  assert.equal(server.get('port'), '3307');
  assert.equal(server.get('bind-address'), '127.0.0.1');
  assert.equal(server.get('skip-name-resolve'), '');
});

test('durable and strict: InnoDB, flush at every commit, utf8mb4, strict sql_mode', () => {
  const server = settings(renderMyCnf(options), 'mariadbd');
  assert.equal(server.get('default-storage-engine'), 'InnoDB');
  assert.equal(server.get('innodb_flush_log_at_trx_commit'), '1');
  assert.equal(server.get('character-set-server'), 'utf8mb4');
  assert.equal(server.get('collation-server'), 'utf8mb4_uca1400_ai_ci');
  const modes = server.get('sql_mode')?.split(',') ?? [];
  for (const mode of [
    'STRICT_TRANS_TABLES',
    'ERROR_FOR_DIVISION_BY_ZERO',
    'NO_ENGINE_SUBSTITUTION',
    'NO_ZERO_DATE',
  ]) {
    assert.ok(modes.includes(mode), mode);
  }
  // mysql2 escapes with backslashes; this mode would make its escaping wrong.
  assert.equal(modes.includes('NO_BACKSLASH_ESCAPES'), false);
});

test('small-box memory defaults, overridable', () => {
  const server = settings(renderMyCnf(options), 'mariadbd');
  assert.equal(server.get('innodb_buffer_pool_size'), '128M');
  assert.equal(server.get('max_connections'), '200');
  assert.equal(server.get('performance_schema'), 'OFF');
  const small = settings(renderMyCnf({ ...options, bufferPoolMb: 64, maxConnections: 50 }), 'mariadbd');
  assert.equal(small.get('innodb_buffer_pool_size'), '64M');
  assert.equal(small.get('max_connections'), '50');
});

test('no binary log unless asked; with one, every commit syncs it', () => {
  assert.equal(settings(renderMyCnf(options), 'mariadbd').has('log-bin'), false);
  const server = settings(
    renderMyCnf({ ...options, binlog: '/var/lib/webstack/mariadb/binlog' }),
    'mariadbd',
  );
  assert.equal(server.get('log-bin'), '/var/lib/webstack/mariadb/binlog');
  assert.equal(server.get('sync_binlog'), '1');
});

test('no TLS unless asked; with it, the certificate, key and CA, and TLS 1.2 or newer only', () => {
  const plain = settings(renderMyCnf(options), 'mariadbd');
  assert.equal(plain.has('ssl_cert') || plain.has('ssl_key') || plain.has('ssl_ca'), false);
  const tls = {
    certificate: '/var/lib/webstack/tls/certificates/db1.crt',
    key: '/var/lib/webstack/tls/certificates/db1.key',
    ca: '/var/lib/webstack/tls/certificates/ca.crt',
  };
  const server = settings(renderMyCnf({ ...options, tls }), 'mariadbd');
  assert.equal(server.get('ssl_cert'), tls.certificate);
  assert.equal(server.get('ssl_key'), tls.key);
  assert.equal(server.get('ssl_ca'), tls.ca);
  assert.equal(server.get('tls_version'), 'TLSv1.2,TLSv1.3');
  // The CLI tools talk over the socket: the client group asks for no TLS.
  assert.equal(settings(renderMyCnf({ ...options, tls }), 'client').has('ssl'), false);
  assert.throws(() => renderMyCnf({ ...options, tls: { ...tls, key: '/tmp/k\nskip-grant-tables' } }), {
    code: 'MY_CNF_PATH',
  });
});

test('the client group points the CLI tools at the same socket', () => {
  const client = settings(renderMyCnf(options), 'client');
  assert.equal(client.get('socket'), options.socket);
  assert.equal(client.get('port'), '3307');
});

test('paths an option file cannot express are refused', () => {
  assert.throws(
    () => renderMyCnf({ ...options, dataDir: '/tmp/x\nskip-grant-tables' }),
    /absolute and plain/,
  );
  assert.throws(() => renderMyCnf({ ...options, socket: 'relative.sock' }), /absolute and plain/);
  assert.throws(() => renderMyCnf({ ...options, errorLog: '/tmp/a#b' }), /absolute and plain/);
});

test('collationFor picks the Unicode 14 collation on MariaDB 10.10 and later', () => {
  assert.equal(collationFor('10.11.19-MariaDB-0+deb12u1'), 'utf8mb4_uca1400_ai_ci');
  assert.equal(collationFor('11.4.2-MariaDB'), 'utf8mb4_uca1400_ai_ci');
  assert.equal(collationFor('10.5.23-MariaDB-0+deb11u1'), 'utf8mb4_unicode_ci');
  assert.equal(collationFor('8.0.36'), 'utf8mb4_unicode_ci');
});

test('max_allowed_packet holds a hex-escaped upload, for the server and the dump and load tools only', () => {
  assert.equal(maxAllowedPacketMb(10 * 1024 * 1024), 64);
  assert.equal(maxAllowedPacketMb(100 * 1024 * 1024), 216);
  assert.equal(maxAllowedPacketMb(500 * 1024 * 1024), 1016);
  const text = renderMyCnf({ ...options, maxAllowedPacketMb: 216 });
  for (const group of ['mariadbd', 'mysql', 'mysqldump'])
    assert.equal(settings(text, group).get('max_allowed_packet'), '216M', group);
  // mariadb-admin reads [client] too and knows no such option.
  assert.equal(settings(text, 'client').has('max_allowed_packet'), false);
});
