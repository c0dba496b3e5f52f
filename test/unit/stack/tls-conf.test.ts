import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { type NginxConfOptions, renderNginxConf } from '../../../src/stack/components/nginx/conf.js';
import {
  namesOcspResponder,
  selfSignedCertificateArgv,
} from '../../../src/stack/components/tls/certificate.js';

const base: NginxConfOptions = {
  serverName: 'www.foobar.com',
  apexName: 'foobar.com',
  listen: { host: '0.0.0.0', port: 80 },
  upstream: { host: '127.0.0.1', port: 3000 },
  assetsDir: '/srv/ws/assets',
  uploadsCacheDir: '/srv/ws/uploads-cache',
  errorPagesDir: '/srv/ws/nginx/errors',
  accessLog: '/srv/ws/logs/nginx-access.log',
  errorLog: '/srv/ws/logs/nginx-error.log',
  pidFile: '/srv/ws/run/nginx.pid',
  tempDir: '/srv/ws/nginx',
  clientMaxBodyBytes: 10_485_760,
  tls: { port: 443, certificate: '/srv/ws/tls/cert.pem', key: '/srv/ws/tls/key.pem' },
};

test('every TLS listen socket speaks HTTP/2 (nginx 1.22: a listen parameter)', () => {
  const conf = renderNginxConf(base);
  const listens = conf.match(/listen 0\.0\.0\.0:443 [^;]*;/g) ?? [];
  assert.equal(listens.length, 3, conf);
  for (const listen of listens) assert.match(listen, / ssl http2( default_server)?;$/);
  assert.match(conf, /ssl_reject_handshake on;/);
  assert.match(conf, /ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:/);
});

test('OCSP stapling only for a certificate that names a responder', () => {
  assert.doesNotMatch(renderNginxConf(base), /ssl_stapling/);
  const stapled = renderNginxConf({
    ...base,
    tls: { ...base.tls, ocspStapling: true } as NginxConfOptions['tls'],
  });
  assert.match(stapled, /ssl_stapling on;\n\s+ssl_stapling_verify on;/);
});

test('a certificate names an OCSP responder only when its AIA has one', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'webstack-ocsp-'));
  try {
    const make = async (name: string, extra: string[]) => {
      const argv = selfSignedCertificateArgv({
        certificate: join(dir, `${name}.crt`),
        key: join(dir, `${name}.key`),
        names: ['www.foobar.com'],
      });
      await promisify(execFile)(argv[0], [...argv.slice(1), ...extra]);
      return readFile(join(dir, `${name}.crt`), 'utf8');
    };
    assert.equal(namesOcspResponder(await make('plain', [])), false);
    const ocsp = await make('ocsp', ['-addext', 'authorityInfoAccess=OCSP;URI:http://ocsp.example.org']);
    assert.equal(namesOcspResponder(ocsp), true);
    assert.equal(namesOcspResponder('not a certificate'), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('ACME: the challenge location answers on plain HTTP before the redirect to HTTPS', () => {
  const conf = renderNginxConf({ ...base, acmeWebroot: '/srv/ws/tls/acme/webroot' });
  const redirect = conf.slice(conf.indexOf('listen 0.0.0.0:80;\n    server_name www.foobar.com;'));
  const challenge = redirect.indexOf('location ^~ /.well-known/acme-challenge/ {');
  assert.notEqual(challenge, -1, conf);
  assert.ok(
    challenge < redirect.indexOf('location / {\n      return 301 https://www.foobar.com$request_uri;'),
  );
  assert.match(redirect, /alias \/srv\/ws\/tls\/acme\/webroot\/;\n\s+default_type text\/plain;/);
  // Before the first certificate: HTTP only, the site and the challenge location on port 80.
  const http = renderNginxConf({ ...base, tls: undefined, acmeWebroot: '/srv/ws/tls/acme/webroot' });
  assert.doesNotMatch(http, /ssl/);
  assert.match(http, /location \^~ \/\.well-known\/acme-challenge\/ \{/);
});

test('ACME across lbs: an lb that takes its pair from the issuer forwards the challenges there, never serving them itself', () => {
  const issuer = { host: '198.18.0.11', port: 80 };
  for (const tls of [base.tls, undefined]) {
    const conf = renderNginxConf({
      ...base,
      tls,
      acmeWebroot: '/srv/ws/tls/acme/webroot',
      acmeIssuer: issuer,
    });
    const locations = conf.split('location ^~ /.well-known/acme-challenge/ {').slice(1);
    // HTTPS: the apex and the www redirect servers; HTTP only: the apex and the site itself.
    assert.equal(locations.length, 2, conf);
    for (const location of locations) {
      const body = location.slice(0, location.indexOf('}'));
      assert.match(body, /proxy_pass http:\/\/198\.18\.0\.11:80;/);
      assert.match(body, /proxy_set_header Host \$host;/);
      assert.doesNotMatch(body, /alias/);
    }
  }
  assert.throws(
    () => renderNginxConf({ ...base, acmeWebroot: '/w', acmeIssuer: { host: 'x y', port: 80 } }),
    /acmeIssuer\.host/,
  );
});
