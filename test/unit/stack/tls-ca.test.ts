import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  caCertificateArgv,
  privateKeyArgv,
  serverCertificateArgv,
  subjectAltNames,
} from '../../../src/stack/components/tls/ca.js';

test('the CA: a P-256 key on stdout, then a self-signed CA certificate limited to signing', () => {
  assert.deepEqual(privateKeyArgv(), [
    'openssl',
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
  ]);
  assert.deepEqual(caCertificateArgv('/s/tls/ca/ca.key'), [
    'openssl',
    'req',
    '-x509',
    '-new',
    '-key',
    '/s/tls/ca/ca.key',
    '-sha256',
    '-days',
    '3650',
    '-subj',
    '/O=webstack/CN=webstack cluster CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE,pathlen:0',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
});

test('a server certificate: signed by the CA, its addresses as IP: names, for servers and clients (a Galera node is both)', () => {
  const altNames = subjectAltNames('db1', ['198.18.0.4', '2001:DB8:0::4'], ['db1.internal']);
  assert.deepEqual(altNames, ['IP:198.18.0.4', 'IP:2001:db8::4', 'DNS:db1.internal']);
  assert.deepEqual(
    serverCertificateArgv(
      { key: '/s/ca.key', certificate: '/s/ca.crt' },
      { name: 'db1', key: '/s/db1.key', altNames, days: 90 },
    ),
    [
      'openssl',
      'req',
      '-x509',
      '-new',
      '-key',
      '/s/db1.key',
      '-CA',
      '/s/ca.crt',
      '-CAkey',
      '/s/ca.key',
      '-sha256',
      '-days',
      '90',
      '-subj',
      '/O=webstack/CN=db1',
      '-addext',
      'subjectAltName=IP:198.18.0.4,IP:2001:db8::4,DNS:db1.internal',
      '-addext',
      'basicConstraints=critical,CA:FALSE',
      '-addext',
      'keyUsage=critical,digitalSignature',
      '-addext',
      'extendedKeyUsage=serverAuth,clientAuth',
    ],
  );
});

test('names are validated: an address that is not an IP, a bad DNS name, a file name, no names at all', () => {
  assert.throws(() => subjectAltNames('db1', ['db1.example'], []), {
    code: 'TLS_ADDRESS_INVALID',
    message: 'the certificate for db1 would name "db1.example", which is not an IP address',
  });
  assert.throws(() => subjectAltNames('db1', [], ['Bad,DNS:evil']), { code: 'TLS_NAME_INVALID' });
  const ca = { key: '/k', certificate: '/c' };
  assert.throws(() => serverCertificateArgv(ca, { name: '../db', key: '/k', altNames: ['IP:127.0.0.1'] }), {
    code: 'TLS_NAME_INVALID',
  });
  assert.throws(() => serverCertificateArgv(ca, { name: 'db1', key: '/k', altNames: [] }), {
    code: 'TLS_NO_NAMES',
  });
});
