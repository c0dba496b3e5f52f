/**
 * MariaDB over TLS with the cluster's own CA: a real server offering its CA-issued certificate
 * for 127.0.0.1, an account REQUIRE SSL for that address, and clients with and without the CA.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { createDb } from '../../src/site/database/database.js';
import {
  adminOverSocket,
  mariadbRunAs,
  provisionDatabase,
} from '../../src/stack/components/mariadb/index.js';
import { type CaFiles, ensureCa, issueCertificate } from '../../src/stack/components/tls/ca.js';
import { localHost } from '../../src/stack/host/index.js';
import { type OwnedTestMariadb, startTestMariadb } from '../support/mariadb.js';

describe('MariaDB over TLS with the cluster CA', () => {
  let dir: string;
  let ca: CaFiles;
  let otherCa: CaFiles;
  let server: OwnedTestMariadb;
  const suffix = randomBytes(4).toString('hex');
  const spec = {
    database: `tls_${suffix}`,
    appUser: `wsapp_${suffix}`,
    appPassword: randomBytes(18).toString('base64url'),
    migratorUser: `wsmig_${suffix}`,
    migratorPassword: randomBytes(18).toString('base64url'),
    tlsHosts: ['127.0.0.1'],
  };
  const connect = (options: mysql.ConnectionOptions = {}) =>
    mysql.createConnection({
      host: '127.0.0.1',
      port: server.port,
      user: spec.appUser,
      password: spec.appPassword,
      database: spec.database,
      ...options,
    });
  const status = async (connection: mysql.Connection, name: string) => {
    const [rows] = await connection.query<RowDataPacket[]>('SHOW STATUS LIKE ?', [name]);
    return String(rows[0]?.Value ?? '');
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ws-dbtls-'));
    // mariadbd runs as mysql: it must reach the certificates directory.
    await chmod(dir, 0o755);
    ca = await ensureCa(localHost, join(dir, 'ca'));
    otherCa = await ensureCa(localHost, join(dir, 'other-ca'));
    const runAs = await mariadbRunAs(localHost);
    const issued = await issueCertificate(localHost, ca, {
      name: 'db',
      addresses: ['127.0.0.1'],
      dir: join(dir, 'certs'),
      ...(runAs ? { owner: { uid: runAs.uid, gid: runAs.gid } } : {}),
    });
    server = await startTestMariadb({
      tls: { certificate: issued.certificate, key: issued.key, ca: issued.ca },
    });
    await provisionDatabase(adminOverSocket(server.socket), spec);
  });
  after(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('with the CA, the account REQUIRE SSL connects over TLS', async (t) => {
    const connection = await connect({ ssl: { ca: ca.pem, rejectUnauthorized: true } });
    t.after(() => connection.end());
    assert.notEqual(await status(connection, 'Ssl_cipher'), '');
    assert.match(await status(connection, 'Ssl_version'), /^TLSv1\.[23]$/);
  });

  test('without TLS the login is refused', async () => {
    await assert.rejects(connect(), { code: 'ER_ACCESS_DENIED_ERROR' });
  });

  test('with another CA the server’s certificate is refused', async () => {
    await assert.rejects(connect({ ssl: { ca: otherCa.pem, rejectUnauthorized: true } }), {
      code: 'HANDSHAKE_SSL_ERROR',
      message: 'self-signed certificate in certificate chain',
    });
  });

  test('the site’s pool with databaseCa connects over TLS', async (t) => {
    const db = createDb({
      url: `mysql://${spec.appUser}@127.0.0.1:${server.port}/${spec.database}`,
      password: spec.appPassword,
      poolSize: 1,
      ca: ca.pem,
    });
    t.after(() => db.destroy());
    const { rows } = await sql<{ Value: string }>`SHOW STATUS LIKE 'Ssl_cipher'`.execute(db);
    assert.notEqual(rows[0]?.Value ?? '', '');
  });

  test('only the TLS host’s accounts require SSL: the socket (localhost) account stays as it was', async (t) => {
    // Provisioning again keeps the requirement (ALTER USER re-applies it).
    await provisionDatabase(adminOverSocket(server.socket), spec);
    const admin = await mysql.createConnection(adminOverSocket(server.socket));
    t.after(() => admin.end());
    const show = async (host: string) => {
      const [rows] = await admin.query<RowDataPacket[]>('SHOW CREATE USER ?@?', [spec.appUser, host]);
      return String(Object.values(rows[0] ?? {})[0]);
    };
    assert.match(await show('127.0.0.1'), /REQUIRE SSL/);
    assert.doesNotMatch(await show('localhost'), /REQUIRE/);
    const overSocket = await mysql.createConnection({
      socketPath: server.socket,
      user: spec.appUser,
      password: spec.appPassword,
      database: spec.database,
    });
    t.after(() => overSocket.end());
    assert.equal(await status(overSocket, 'Ssl_cipher'), '');
  });
});
