import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as mariadb from '../../../src/stack/components/mariadb/commands.js';

const cnf = '/var/lib/webstack/mariadb/my.cnf';

test('installDb initialises with socket-only root, no test database, as the given user', () => {
  assert.deepEqual(mariadb.installDb(cnf, '/var/lib/webstack/mariadb/data.partial', { user: 'mysql' }), [
    'mariadb-install-db',
    '--defaults-file=/var/lib/webstack/mariadb/my.cnf',
    '--datadir=/var/lib/webstack/mariadb/data.partial',
    '--auth-root-authentication-method=socket',
    '--skip-test-db',
    '--skip-name-resolve',
    '--user=mysql',
  ]);
});

test('installDb without a user runs as the current user', () => {
  assert.equal(mariadb.installDb(cnf, '/d').includes('--user=mysql'), false);
  assert.equal(mariadb.installDb(cnf, '/d').at(-1), '--skip-name-resolve');
});

test('server reads only its own my.cnf (first option) and drops to the given user', () => {
  assert.deepEqual(mariadb.server(cnf, { user: 'mysql' }), [
    'mariadbd',
    `--defaults-file=${cnf}`,
    '--user=mysql',
  ]);
  assert.deepEqual(mariadb.server(cnf), ['mariadbd', `--defaults-file=${cnf}`]);
});

test('version asks mariadbd', () => {
  assert.deepEqual(mariadb.version(), ['mariadbd', '--version']);
});

test('dump is a consistent online dump of one database over the managed socket', () => {
  assert.deepEqual(mariadb.dump(cnf, 'foobar'), [
    'mariadb-dump',
    `--defaults-file=${cnf}`,
    '--single-transaction',
    '--quick',
    '--routines',
    '--triggers',
    '--events',
    '--hex-blob',
    '--default-character-set=utf8mb4',
    '--databases',
    'foobar',
  ]);
});

test('dump of an external server connects over TCP and never carries a password in argv', () => {
  const argv = mariadb.dump(cnf, 'foobar', { host: 'db.internal', port: 3306, user: 'admin' });
  assert.deepEqual(argv.slice(0, 6), [
    'mariadb-dump',
    `--defaults-file=${cnf}`,
    '--protocol=TCP',
    '--host=db.internal',
    '--port=3306',
    '--user=admin',
  ]);
  assert.equal(
    argv.some((arg) => arg.startsWith('--password') || arg.startsWith('-p')),
    false,
  );
});

test('restore feeds stdin to the client in batch mode', () => {
  assert.deepEqual(mariadb.restore(cnf, { socket: '/run/m.sock', user: 'root' }), [
    'mariadb',
    `--defaults-file=${cnf}`,
    '--socket=/run/m.sock',
    '--user=root',
    '--batch',
    '--default-character-set=utf8mb4',
  ]);
});

test('shell opens the named database', () => {
  assert.deepEqual(mariadb.shell(cnf, 'foobar'), ['mariadb', `--defaults-file=${cnf}`, '--database=foobar']);
});

test('physicalBackup copies the running server; prepare makes the copy startable', () => {
  assert.deepEqual(mariadb.physicalBackup(cnf, '/var/lib/webstack/backups/b1'), [
    'mariadb-backup',
    `--defaults-file=${cnf}`,
    '--backup',
    '--target-dir=/var/lib/webstack/backups/b1',
  ]);
  assert.deepEqual(mariadb.preparePhysicalBackup('/b1'), ['mariadb-backup', '--prepare', '--target-dir=/b1']);
});
