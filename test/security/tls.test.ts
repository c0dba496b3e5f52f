/**
 * HTTPS through a real nginx with a real self-signed certificate made by openssl: TLS 1.2/1.3 with
 * the intermediate ciphers, HSTS, HTTP → HTTPS, handshakes refused for unknown names, and the
 * Observatory's scoring over HTTPS (no HTTPS-only penalty left).
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect } from 'node:tls';
import { renderNginxConf } from '../../src/stack/components/nginx/conf.js';
import { startNginx, writeErrorPages } from '../../src/stack/components/nginx/index.js';
import type { NginxProcess } from '../../src/stack/components/nginx/process.js';
import {
  ensureSelfSignedCertificate,
  selfSignedCertificateArgv,
} from '../../src/stack/components/tls/certificate.js';
import { localHost } from '../../src/stack/host/index.js';
import { freePort, httpRequest, startTestUpstream, type TestUpstream } from '../support/nginx.js';
import { grade } from './observatory.js';

let dir: string;
let upstream: TestUpstream;
let nginx: NginxProcess;
let httpPort: number;
let httpsPort: number;
let ca: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'webstack-tls-'));
  await chmod(dir, 0o755);
  for (const sub of ['assets', 'uploads', 'errors', 'logs', 'run', 'nginx', 'tls'])
    await mkdir(join(dir, sub));
  await writeErrorPages(localHost, join(dir, 'errors'));
  const certificate = join(dir, 'tls', 'cert.pem');
  const key = join(dir, 'tls', 'key.pem');
  assert.equal(
    await ensureSelfSignedCertificate(localHost, {
      certificate,
      key,
      names: ['www.foobar.com', 'foobar.com'],
    }),
    true,
  );
  ca = await readFile(certificate, 'utf8');
  upstream = await startTestUpstream();
  httpPort = await freePort();
  httpsPort = await freePort();
  const conf = renderNginxConf({
    serverName: 'www.foobar.com',
    apexName: 'foobar.com',
    listen: { host: '127.0.0.1', port: httpPort },
    upstream: { host: '127.0.0.1', port: upstream.port },
    assetsDir: join(dir, 'assets'),
    uploadsCacheDir: join(dir, 'nginx', 'uploads-cache'),
    errorPagesDir: join(dir, 'errors'),
    accessLog: join(dir, 'logs', 'access.log'),
    errorLog: join(dir, 'logs', 'error.log'),
    pidFile: join(dir, 'run', 'nginx.pid'),
    tempDir: join(dir, 'nginx'),
    clientMaxBodyBytes: 1024 * 1024,
    tls: { port: httpsPort, certificate, key },
  });
  const confPath = join(dir, 'nginx', 'nginx.conf');
  await writeFile(confPath, conf);
  nginx = await startNginx(localHost, {
    conf: confPath,
    prefix: join(dir, 'nginx'),
    pidFile: join(dir, 'run', 'nginx.pid'),
    errorLog: join(dir, 'logs', 'error.log'),
    listen: { host: '127.0.0.1', port: httpPort },
  });
});

after(async () => {
  await nginx?.stop(5000);
  await upstream?.close();
  await rm(dir, { recursive: true, force: true });
});

function httpsGet(
  path: string,
  tls: { maxVersion?: 'TLSv1.2' | 'TLSv1.3'; servername?: string } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; protocol: string | null; cipher: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: httpsPort,
        path,
        headers: { host: 'www.foobar.com', connection: 'close' },
        servername: tls.servername ?? 'www.foobar.com',
        ca,
        agent: false,
        ...(tls.maxVersion ? { maxVersion: tls.maxVersion } : {}),
      },
      (res) => {
        const socket = res.socket as import('node:tls').TLSSocket;
        const result = {
          status: res.statusCode ?? 0,
          headers: res.headers,
          protocol: socket.getProtocol(),
          cipher: socket.getCipher().standardName,
        };
        res.resume();
        res.on('end', () => resolve(result));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('the certificate is made by openssl from an argv, its key readable by the owner only', async () => {
  const argv = selfSignedCertificateArgv({
    certificate: '/c.pem',
    key: '/k.pem',
    names: ['www.foobar.com', 'foobar.com'],
  });
  assert.deepEqual(argv, [
    'openssl',
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-sha256',
    '-days',
    '365',
    '-subj',
    '/CN=www.foobar.com',
    '-addext',
    'subjectAltName=DNS:www.foobar.com,DNS:foobar.com',
    '-keyout',
    '/k.pem',
    '-out',
    '/c.pem',
  ]);
  assert.throws(
    () => selfSignedCertificateArgv({ certificate: '/c', key: '/k', names: ['-evil'] }),
    /not a DNS name/,
  );
  assert.equal((await stat(join(dir, 'tls', 'key.pem'))).mode & 0o777, 0o600);
});

test('TLS 1.3 and 1.2 (ECDHE + AEAD) are served, with HSTS for a year and the security headers', async () => {
  const v13 = await httpsGet('/');
  assert.equal(v13.status, 200);
  assert.equal(v13.protocol, 'TLSv1.3');
  assert.equal(v13.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
  assert.match(String(v13.headers['content-security-policy']), /default-src 'none'/);
  assert.equal(upstream.seen.at(-1)?.headers['x-forwarded-proto'], 'https', 'the site knows it is HTTPS');
  const v12 = await httpsGet('/', { maxVersion: 'TLSv1.2' });
  assert.equal(v12.protocol, 'TLSv1.2');
  // The certificate is an ECDSA (P-256) key; with the client's preference, Node's first AEAD suite.
  assert.equal(v12.cipher, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
});

test('HTTP/2 over TLS: curl --http2 negotiates h2 and gets the page', async () => {
  const { stdout } = await localHost.run([
    'curl',
    '--http2',
    '-sS',
    '-o',
    '/dev/null',
    '-w',
    '%{http_version} %{http_code}',
    '--cacert',
    join(dir, 'tls', 'cert.pem'),
    '--resolve',
    `www.foobar.com:${httpsPort}:127.0.0.1`,
    `https://www.foobar.com:${httpsPort}/`,
  ]);
  assert.equal(stdout, '2 200');
});

test("a client's own X-Forwarded-For is replaced: the per-address limits cannot be dodged", async () => {
  const res = await httpRequest({ port: httpPort, path: '/', headers: { 'x-forwarded-for': '6.6.6.6' } });
  assert.equal(res.status, 301);
  await new Promise<void>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: httpsPort,
        path: '/xff',
        headers: { host: 'www.foobar.com', 'x-forwarded-for': '6.6.6.6' },
        servername: 'www.foobar.com',
        ca,
        agent: false,
      },
      (r) => r.resume().on('end', resolve),
    );
    req.on('error', reject);
    req.end();
  });
  const seen = upstream.seen.find((s) => s.url === '/xff');
  assert.equal(seen?.headers['x-forwarded-for'], '127.0.0.1');
});

test('plain HTTP redirects to HTTPS, for the site and the apex', async () => {
  const site = await httpRequest({ port: httpPort, path: '/a?b=1' });
  assert.equal(site.status, 301);
  assert.equal(site.headers.location, `https://www.foobar.com:${httpsPort}/a?b=1`);
  const apex = await httpRequest({ port: httpPort, path: '/x', host: 'foobar.com' });
  assert.equal(apex.headers.location, `https://www.foobar.com:${httpsPort}/x`);
});

test('a TLS handshake for an unknown name is refused without showing the certificate', async () => {
  await assert.rejects(
    new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: httpsPort, servername: 'evil.example', ca }, () =>
        resolve(socket.getPeerCertificate()),
      );
      socket.on('error', reject);
    }),
    /alert|handshake|unrecognized name/i,
  );
});

test('the MDN HTTP Observatory scoring over HTTPS: 120 or more, no penalty at all', async () => {
  const front = await httpsGet('/');
  const redirect = await httpRequest({ port: httpPort, path: '/' });
  const result = grade({
    headers: front.headers,
    setCookies: [],
    https: true,
    redirectsToHttps: String(redirect.headers.location).startsWith('https://www.foobar.com'),
  });
  for (const mod of result.modifiers) console.log(`  [${String(mod.modifier).padStart(3)}] ${mod.result}`);
  console.log(`  Observatory score over HTTPS: ${result.score}`);
  assert.ok(
    result.modifiers.every((mod) => mod.modifier >= 0),
    JSON.stringify(result.modifiers),
  );
  assert.equal(result.score >= 120, true, `score ${result.score}`);
});
