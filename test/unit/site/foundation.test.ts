import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SITE_ENV } from '../../../src/contract.js';
import { isDatabaseUnavailable, poolOptionsFromUrl } from '../../../src/site/database/database.js';
import { errors, fieldErrors } from '../../../src/site/errors.js';
import { safeNext } from '../../../src/site/modules/users/users.schemas.js';
import { deriveToken, tokensMatch } from '../../../src/site/plugins/csrf.js';
import { toProblem } from '../../../src/site/plugins/errors.js';
import { hashToken } from '../../../src/site/plugins/session.js';
import { parseListen, readSettings, SettingsError } from '../../../src/site/settings.js';

const ENV = {
  [SITE_ENV.databaseUrl]: 'mysql://app@127.0.0.1:3307/site',
  [SITE_ENV.sessionSecret]: 's'.repeat(40),
};

test('settings: defaults fill in, WEBSTACK_LISTEN gives host and port', () => {
  const settings = readSettings({ ...ENV, [SITE_ENV.listen]: '0.0.0.0:8080', [SITE_ENV.dbPoolSize]: '7' });
  assert.equal(settings.host, '0.0.0.0');
  assert.equal(settings.port, 8080);
  assert.equal(settings.dbPoolSize, 7);
  assert.equal(settings.logLevel, 'info');
  assert.equal(settings.authRatePerMinute, 10);
  assert.equal(
    readSettings({ ...ENV, [SITE_ENV.authRatePerMinute]: '500' }).authRatePerMinute,
    500,
    'WEBSTACK_AUTH_RATE_PER_MINUTE sets the login limiter',
  );
  assert.deepEqual(parseListen('3000'), { host: '127.0.0.1', port: 3000 });
});

test('settings: errors name the variable and hide secrets', () => {
  assert.throws(() => readSettings({}), /WEBSTACK_DATABASE_URL is not set/);
  assert.throws(
    () => readSettings({ ...ENV, [SITE_ENV.dbPoolSize]: 'lots' }),
    /WEBSTACK_DB_POOL_SIZE has the value null/,
  );
  assert.throws(() => readSettings({ ...ENV, [SITE_ENV.listen]: 'nope:x' }), SettingsError);
  assert.throws(
    () => readSettings({ ...ENV, [SITE_ENV.sessionSecret]: 'short' }),
    (e: Error) => e.message.includes('WEBSTACK_SESSION_SECRET') && !e.message.includes('short'),
  );
});

test('pool options: TCP from host:port, unix socket from ?socket=', () => {
  const tcp = poolOptionsFromUrl({ url: 'mysql://app@db.internal:3307/site', password: 'pw', poolSize: 5 });
  assert.equal(tcp.host, 'db.internal');
  assert.equal(tcp.port, 3307);
  assert.equal(tcp.user, 'app');
  assert.equal(tcp.database, 'site');
  assert.equal(tcp.connectionLimit, 5);
  assert.equal(tcp.namedPlaceholders, false);
  assert.equal(tcp.timezone, 'Z');
  const socket = poolOptionsFromUrl({
    url: 'mysql://app@localhost/site?socket=/run/db.sock',
    password: '',
    poolSize: 1,
  });
  assert.equal(socket.socketPath, '/run/db.sock');
  assert.equal(socket.host, undefined);
  assert.throws(
    () => poolOptionsFromUrl({ url: 'mysql://app@localhost/', password: '', poolSize: 1 }),
    /name a database/,
  );
});

/** A CA certificate (any will do: the site only parses it and hands it to mysql2). */
const CA_PEM = [
  '-----BEGIN CERTIFICATE-----',
  'MIIBxjCCAW2gAwIBAgIUaObjkJTXnT/AqvNN6KhDE+GnS5kwCgYIKoZIzj0EAwIw',
  'MTERMA8GA1UECgwId2Vic3RhY2sxHDAaBgNVBAMME3dlYnN0YWNrIGNsdXN0ZXIg',
  'Q0EwHhcNMjYxMjAyMDAwNjAzWhcNMzYxMTI5MDAwNjAzWjAxMREwDwYDVQQKDAh3',
  'ZWJzdGFjazEcMBoGA1UEAwwTd2Vic3RhY2sgY2x1c3RlciBDQTBZMBMGByqGSM49',
  'AgEGCCqGSM49AwEHA0IABF12HCUtOr+6CwSgTtwtv693F6OUi/guJ14xmKxvjTKl',
  'cImDiHtTUQ39b+Kwjo3UiahY6c0fow3bpqGtuNa6UZWjYzBhMB0GA1UdDgQWBBTc',
  'SjaZFe8qvjRUoNizZj0S6HTblTAfBgNVHSMEGDAWgBTcSjaZFe8qvjRUoNizZj0S',
  '6HTblTAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIBBjAKBggqhkjOPQQD',
  'AgNHADBEAiBZ1IC1v8ZCdZ2GBZ6GmcuYN1sOn2kCNawWOpqmTtJxGAIgamlKheFW',
  'QInhclrEw43kYLFJYpLL34H2q4PGdaobD3k=',
  '-----END CERTIFICATE-----',
].join('\n');

test('pool options: with a database CA, TCP connections use TLS and verify the chain; a socket does not', () => {
  const tcp = poolOptionsFromUrl({
    url: 'mysql://app@198.18.0.4:3306/site',
    password: 'pw',
    poolSize: 5,
    ca: CA_PEM,
  });
  assert.deepEqual(tcp.ssl, { ca: CA_PEM, rejectUnauthorized: true });
  const plain = poolOptionsFromUrl({ url: 'mysql://app@198.18.0.4:3306/site', password: 'pw', poolSize: 5 });
  assert.equal(plain.ssl, undefined);
  const socket = poolOptionsFromUrl({
    url: 'mysql://app@localhost/site?socket=/run/db.sock',
    password: '',
    poolSize: 1,
    ca: CA_PEM,
  });
  assert.equal(socket.ssl, undefined);
});

test('settings: WEBSTACK_DATABASE_CA is optional, and must be a PEM certificate when set', () => {
  assert.equal(readSettings(ENV).databaseCa, undefined);
  assert.equal(readSettings({ ...ENV, [SITE_ENV.databaseCa]: CA_PEM }).databaseCa, CA_PEM);
  assert.throws(
    () => readSettings({ ...ENV, [SITE_ENV.databaseCa]: 'not a certificate' }),
    /WEBSTACK_DATABASE_CA has the value/,
  );
  assert.throws(
    () =>
      readSettings({
        ...ENV,
        [SITE_ENV.databaseCa]: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
      }),
    /WEBSTACK_DATABASE_CA is not a PEM certificate/,
  );
});

test('database unavailable: connection errors yes, SQL errors no', () => {
  assert.equal(isDatabaseUnavailable({ code: 'ECONNREFUSED' }), true);
  assert.equal(isDatabaseUnavailable({ code: 'PROTOCOL_CONNECTION_LOST', fatal: true }), true);
  assert.equal(isDatabaseUnavailable(new Error('Queue limit reached.')), true);
  assert.equal(isDatabaseUnavailable({ code: 'ER_DUP_ENTRY' }), false);
  assert.equal(isDatabaseUnavailable(new Error('boom')), false);
});

test('problems: site errors keep their message, unknown errors never leak', () => {
  assert.deepEqual(toProblem(errors.notFound()), {
    status: 404,
    code: 'NOT_FOUND',
    title: 'Not Found',
    detail: 'There is nothing at this address.',
    errors: undefined,
  });
  const internal = toProblem(new Error('password=hunter2 at /srv/x.ts:12'));
  assert.equal(internal.status, 500);
  assert.doesNotMatch(internal.detail, /hunter2/);
  assert.equal(toProblem({ code: 'ECONNREFUSED' }).status, 503);
  const validation = toProblem({
    validation: [
      { instancePath: '', params: { requiredProperties: ['email', 'password'] }, message: 'required' },
      { instancePath: '/displayName', params: {}, message: 'must match pattern' },
    ],
  });
  assert.equal(validation.status, 400);
  assert.deepEqual(
    validation.errors?.map((e) => e.field),
    ['email', 'password', 'displayName'],
  );
  assert.deepEqual(fieldErrors([{ instancePath: '/a/b', message: 'bad' }]), [
    { field: 'a.b', message: 'a.b bad' },
  ]);
});

test('safeNext: only local paths', () => {
  assert.equal(safeNext('/account?x=1'), '/account?x=1');
  for (const bad of [
    'https://evil.example',
    '//evil.example',
    '/\\evil.example',
    'account',
    '/a\nb',
    undefined,
  ]) {
    assert.equal(safeNext(bad), '/', String(bad));
  }
});

test('csrf tokens: bound to the secret and scope, compared safely', () => {
  const a = deriveToken('site', 'session', 'one');
  assert.equal(a, deriveToken('site', 'session', 'one'));
  assert.notEqual(a, deriveToken('site', 'session', 'two'));
  assert.notEqual(a, deriveToken('site', 'anon', 'one'));
  assert.notEqual(a, deriveToken('other', 'session', 'one'));
  assert.equal(tokensMatch(a, a), true);
  assert.equal(tokensMatch(a, a.slice(1)), false);
});

test('session ids are the SHA-256 of the token, never the token', () => {
  assert.equal(hashToken('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});
