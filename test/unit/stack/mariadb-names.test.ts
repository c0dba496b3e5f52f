import assert from 'node:assert/strict';
import { test } from 'node:test';
import { externalAdmin } from '../../../src/stack/components/mariadb/external.js';
import { quoteIdentifier } from '../../../src/stack/components/mariadb/provision.js';

test('quoteIdentifier backtick-quotes plain names', () => {
  assert.equal(quoteIdentifier('foobar_2'), '`foobar_2`');
});

test('quoteIdentifier refuses anything that could escape the quotes', () => {
  for (const name of ['', 'a`b', 'a b', 'db;DROP', 'ü', 'x'.repeat(65)]) {
    assert.throws(() => quoteIdentifier(name), { code: 'DB_NAME_INVALID' }, JSON.stringify(name));
  }
});

test('externalAdmin reads user, decoded password, host and port', () => {
  assert.deepEqual(externalAdmin('mysql://admin:p%40ss%3Aw@db.internal:3310/'), {
    user: 'admin',
    password: 'p@ss:w',
    connectTimeout: 10_000,
    host: 'db.internal',
    port: 3310,
  });
});

test('externalAdmin defaults the port and allows no password', () => {
  assert.deepEqual(externalAdmin('mysql://root@127.0.0.1'), {
    user: 'root',
    connectTimeout: 10_000,
    host: '127.0.0.1',
    port: 3306,
  });
});

test('externalAdmin connects over a socket when asked', () => {
  assert.deepEqual(externalAdmin('mysql://root@localhost/?socket=/run/mysqld/mysqld.sock'), {
    user: 'root',
    connectTimeout: 10_000,
    socketPath: '/run/mysqld/mysqld.sock',
  });
});

test('externalAdmin refuses bad URLs without echoing the password', () => {
  for (const url of [
    'postgres://a:secretpw@h/',
    'mysql://:secretpw@h/',
    'not a url secretpw',
    'mysql://a:secretpw@h/?socket=rel',
  ]) {
    assert.throws(
      () => externalAdmin(url),
      (error: Error & { code?: string }) =>
        error.code === 'DB_URL_INVALID' && !error.message.includes('secretpw'),
      url,
    );
  }
});
