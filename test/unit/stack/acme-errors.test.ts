/**
 * What an operator reads when ACME goes wrong, from acme-client talking to real sockets: a closed
 * port, and a loopback server answering as an ACME server does when it rate-limits (Pebble never
 * does: its README says so). The failed challenge is shown against real Pebble (test/e2e/acme.test.ts).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AcmeFailure, issueCertificate } from '../../../src/stack/components/tls/acme.js';
import { resolveConfig } from '../../../src/stack/core/config/load.js';
import { isWebstackError } from '../../../src/stack/core/errors.js';
import { localHost } from '../../../src/stack/host/index.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'webstack-acme-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function files(name: string) {
  return {
    names: ['www.foobar.com', 'foobar.com'],
    accountKey: join(dir, name, 'account', 'account.key'),
    certificate: join(dir, name, 'cert.pem'),
    key: join(dir, name, 'key.pem'),
    webroot: join(dir, name, 'webroot'),
  };
}

async function failure(promise: Promise<unknown>): Promise<AcmeFailure> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(error instanceof AcmeFailure, String(error));
  return error;
}

test('an ACME server that does not answer: ACME_UNREACHABLE, naming it', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise((resolve) => closed.close(resolve));
  const directory = `http://127.0.0.1:${port}/dir`;
  const f = await failure(issueCertificate(localHost, { directory, ...files('closed') }));
  assert.equal(f.error.code, 'ACME_UNREACHABLE');
  assert.match(
    f.error.message,
    new RegExp(`the ACME server ${directory} cannot be reached \\(ECONNREFUSED\\)`),
  );
});

test('a rate limit (429 with a problem document): ACME_RATE_LIMITED with its detail and Retry-After; the account key is 0600', async () => {
  const server = createServer((req, res) => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (req.url === '/dir') {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          newNonce: `${base}/nonce`,
          newAccount: `${base}/account`,
          newOrder: `${base}/order`,
        }),
      );
      return;
    }
    res.setHeader('replay-nonce', `nonce${Date.now()}`);
    if (req.url === '/nonce') {
      res.end();
      return;
    }
    req.resume();
    res.writeHead(429, { 'content-type': 'application/problem+json', 'retry-after': '3600' });
    res.end(
      JSON.stringify({
        type: 'urn:ietf:params:acme:error:rateLimited',
        detail: 'too many new registrations from this address',
        status: 429,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const directory = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dir`;
    const f = await failure(issueCertificate(localHost, { directory, ...files('limited') }));
    assert.equal(f.error.code, 'ACME_RATE_LIMITED');
    assert.match(f.error.message, /too many new registrations from this address/);
    assert.match(f.error.fix, /Retry-After \(3600\)/);
    assert.equal(f.problem?.type, 'urn:ietf:params:acme:error:rateLimited');
    assert.equal((await stat(files('limited').accountKey)).mode & 0o777, 0o600, 'the account key is 0600');
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('a malformed directory URL is refused when the config loads, with one coded line', () => {
  for (const directory of ['not a url', 'ftp://acme.example/dir', 'https://']) {
    assert.throws(
      () => resolveConfig({ https: { acme: { directory } } }),
      (error: unknown) => isWebstackError(error) && error.code === 'ACME_DIRECTORY_INVALID',
      directory,
    );
  }
  const config = resolveConfig({ https: { acme: {} } });
  assert.equal(config.https.enabled, true, 'ACME turns HTTPS on');
  assert.equal(config.https.acme?.directory, 'https://acme-v02.api.letsencrypt.org/directory');
  assert.equal(config.https.acme?.renewBeforeDays, 30);
});
