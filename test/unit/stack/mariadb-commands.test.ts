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

test('a Galera node’s position is recovered with its own my.cnf, as its user, into a log of its own', () => {
  assert.deepEqual(mariadb.recoverPosition('/s/my.cnf', '/s/tmp/recover.log', { user: 'mysql' }), [
    'mariadbd',
    '--defaults-file=/s/my.cnf',
    '--user=mysql',
    '--wsrep-recover',
    '--disable-log-error',
    '--log-error=/s/tmp/recover.log',
  ]);
  assert.deepEqual(mariadb.server('/s/my.cnf', { user: 'mysql', args: ['--wsrep-new-cluster'] }).slice(-1), [
    '--wsrep-new-cluster',
  ]);
});
