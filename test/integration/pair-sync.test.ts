/**
 * The ACME pair shipped from the issuing lb to its peer, over mutual TLS of a real cluster CA
 * (openssl) on loopback: the issuer on 127.0.0.1, the follower's certificate naming 127.0.0.2.
 */

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type CaFiles, ensureCa, issueCertificate } from '../../src/stack/components/tls/ca.js';
import { selfSignedCertificateArgv } from '../../src/stack/components/tls/certificate.js';
import {
  checkedPair,
  type Pair,
  PairFollower,
  type PairFollowerOptions,
  PairServer,
} from '../../src/stack/components/tls/pair-sync.js';
import { CertificateManager, readAcmeState } from '../../src/stack/components/tls/renewal.js';
import { resolveConfig } from '../../src/stack/core/config/load.js';
import { type StatePaths, statePaths } from '../../src/stack/core/paths.js';
import { localHost } from '../../src/stack/host/index.js';
import { waitFor } from '../support/wait.js';

const ISSUER = { name: 'lb1', address: '127.0.0.1' };
const FOLLOWER = { name: 'lb2', address: '127.0.0.2' };

let dir: string;
let ca: CaFiles;
let counter = 0;

/** A state dir whose cluster TLS files (paths.tls) are a certificate of CA for NAME at ADDRESS. */
async function lbState(name: string, address: string, authority = ca): Promise<StatePaths> {
  const paths = statePaths(join(dir, `state-${++counter}`));
  const issued = await issueCertificate(localHost, authority, {
    name,
    addresses: [address],
    dir: join(dir, `issued-${counter}`),
  });
  await mkdir(dirname(paths.tls.caCertificate), { recursive: true });
  await writeFile(paths.tls.caCertificate, ca.pem);
  await copyFile(issued.certificate, paths.tls.serverCertificate);
  await copyFile(issued.key, paths.tls.serverKey);
  return paths;
}

/** A self-signed site pair (what ACME would give) valid for DAYS. */
async function sitePair(days: number): Promise<Pair> {
  const out = join(dir, `pair-${++counter}`);
  await mkdir(out);
  await localHost.run(
    selfSignedCertificateArgv({
      certificate: join(out, 'cert.pem'),
      key: join(out, 'key.pem'),
      names: ['www.foobar.com'],
      days,
    }),
  );
  return {
    certificate: await readFile(join(out, 'cert.pem'), 'utf8'),
    key: await readFile(join(out, 'key.pem'), 'utf8'),
  };
}

/** Puts PAIR live on the lb of PATHS, as the CertificateManager leaves it. */
async function putLive(paths: StatePaths, pair: Pair): Promise<void> {
  await mkdir(dirname(paths.tls.acme.certificate), { recursive: true });
  await writeFile(paths.tls.acme.certificate, pair.certificate);
  await writeFile(paths.tls.acme.key, pair.key, { mode: 0o600 });
}

async function startIssuer(paths: StatePaths, allowed = [FOLLOWER.name]): Promise<PairServer> {
  const server = new PairServer({
    host: localHost,
    paths,
    address: ISSUER.address,
    port: 0,
    allowed,
    log: () => {},
  });
  await server.start();
  return server;
}

/** A follower whose installs go through a real CertificateManager.installPair (nginx's reload counted). */
function follower(paths: StatePaths, port: number, overrides: Partial<PairFollowerOptions> = {}) {
  const installs: Pair[] = [];
  const lines: string[] = [];
  let reloads = 0;
  const manager = new CertificateManager(
    localHost,
    resolveConfig({ https: { acme: {} } }),
    paths,
    async () => {
      reloads++;
    },
    () => {},
  );
  const sync = new PairFollower({
    host: localHost,
    paths,
    issuer: { name: ISSUER.name, address: ISSUER.address, port },
    install: async (pair) => {
      await manager.installPair(pair.certificate, pair.key);
      installs.push(pair);
    },
    intervalSeconds: 3600,
    log: (line) => lines.push(line),
    ...overrides,
  });
  return { sync, installs, lines, reloads: () => reloads };
}

const live = async (paths: StatePaths) => ({
  certificate: await localHost.readText(paths.tls.acme.certificate),
  key: await localHost.readText(paths.tls.acme.key),
});

describe('the ACME pair from the issuing lb to its peer', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ws-pair-'));
    ca = await ensureCa(localHost, join(dir, 'ca'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('a follower without a pair gets the issuer’s and installs it; a second sync changes nothing', async (t) => {
    const issuerPaths = await lbState(ISSUER.name, ISSUER.address);
    const pair = await sitePair(30);
    await putLive(issuerPaths, pair);
    const server = await startIssuer(issuerPaths);
    t.after(() => server.stop());
    const followerPaths = await lbState(FOLLOWER.name, FOLLOWER.address);
    const { sync, installs, lines, reloads } = follower(followerPaths, server.port);

    assert.equal(await sync.syncOnce(), 'installed');
    assert.deepEqual(installs, [pair]);
    assert.deepEqual(await live(followerPaths), pair);
    assert.equal((await stat(followerPaths.tls.acme.key)).mode & 0o777, 0o600);
    assert.equal(reloads(), 1);
    assert.equal((await readAcmeState(localHost, followerPaths))?.ok, true);

    assert.equal(await sync.syncOnce(), 'current');
    assert.equal(installs.length, 1);
    assert.equal(reloads(), 1);
    // The same serial is the pair in use, not another one that happens not to outlast it.
    assert.deepEqual(
      lines.filter((line) => line.includes('does not outlast')),
      [],
    );
  });

  test('the issuer renews: the follower installs the newer pair, and keeps its own over an older one', async (t) => {
    const issuerPaths = await lbState(ISSUER.name, ISSUER.address);
    const first = await sitePair(30);
    await putLive(issuerPaths, first);
    const server = await startIssuer(issuerPaths);
    t.after(() => server.stop());
    const followerPaths = await lbState(FOLLOWER.name, FOLLOWER.address);
    const { sync, installs } = follower(followerPaths, server.port);
    assert.equal(await sync.syncOnce(), 'installed');

    const renewed = await sitePair(90);
    await putLive(issuerPaths, renewed);
    assert.equal(await sync.syncOnce(), 'installed');
    assert.deepEqual(installs, [first, renewed]);
    assert.deepEqual(await live(followerPaths), renewed);

    // Another serial that ends sooner (the issuer restored from an old backup): not a step back.
    await putLive(issuerPaths, await sitePair(10));
    assert.equal(await sync.syncOnce(), 'current');
    assert.equal(installs.length, 2);
    assert.deepEqual(await live(followerPaths), renewed);
  });

  test('an issuer without a pair yet: none, kept as the last attempt', async (t) => {
    const server = await startIssuer(await lbState(ISSUER.name, ISSUER.address));
    t.after(() => server.stop());
    const followerPaths = await lbState(FOLLOWER.name, FOLLOWER.address);
    const { sync, installs } = follower(followerPaths, server.port);
    assert.equal(await sync.syncOnce(), 'none');
    assert.equal(installs.length, 0);
    const attempt = await readAcmeState(localHost, followerPaths);
    assert.deepEqual([attempt?.ok, attempt?.code], [false, 'ACME_ISSUER_NO_CERTIFICATE']);
  });

  test('a client certificate of the same CA for another host gets 403; one of another CA is refused in TLS', async (t) => {
    const issuerPaths = await lbState(ISSUER.name, ISSUER.address);
    await putLive(issuerPaths, await sitePair(30));
    const server = await startIssuer(issuerPaths);
    t.after(() => server.stop());

    const app = follower(await lbState('app1', FOLLOWER.address), server.port);
    await assert.rejects(app.sync.syncOnce(), { code: 'ACME_PAIR_FORBIDDEN', message: /HTTP 403/ });
    assert.equal(app.installs.length, 0);

    // The right name, but signed by another CA (it still trusts the cluster CA, so only the server refuses).
    const other = await ensureCa(localHost, join(dir, 'other-ca'));
    const stranger = follower(await lbState(FOLLOWER.name, FOLLOWER.address, other), server.port);
    await assert.rejects(stranger.sync.syncOnce(), {
      code: 'ACME_ISSUER_TLS_REFUSED',
      message: /does not take this lb’s certificate/,
    });
    assert.equal(stranger.installs.length, 0);

    // A follower that trusts another CA does not take the issuer's certificate.
    const wary = await lbState(FOLLOWER.name, FOLLOWER.address);
    await writeFile(wary.tls.caCertificate, other.pem);
    const doubter = follower(wary, server.port);
    await assert.rejects(doubter.sync.syncOnce(), {
      code: 'ACME_ISSUER_TLS_REFUSED',
      message: /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY/,
    });
    assert.equal(doubter.installs.length, 0);
  });

  test('the issuer answers only GET /acme/pair', async (t) => {
    const issuerPaths = await lbState(ISSUER.name, ISSUER.address);
    await putLive(issuerPaths, await sitePair(30));
    const server = await startIssuer(issuerPaths);
    t.after(() => server.stop());
    const paths = await lbState(FOLLOWER.name, FOLLOWER.address);
    const tls = {
      ca: await readFile(paths.tls.caCertificate, 'utf8'),
      cert: await readFile(paths.tls.serverCertificate, 'utf8'),
      key: await readFile(paths.tls.serverKey, 'utf8'),
    };
    const status = (method: string, path: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          { host: ISSUER.address, port: server.port, method, path, agent: false, ...tls },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
    assert.deepEqual(
      [
        await status('GET', '/acme/pair'),
        await status('POST', '/acme/pair'),
        await status('GET', '/acme/pair?x=1'),
        await status('GET', '/'),
      ],
      [200, 405, 404, 404],
    );
  });

  test('a server whose certificate names another host than the issuer: refused, nothing installed', async (t) => {
    const impostorPaths = await lbState('lb3', ISSUER.address);
    await putLive(impostorPaths, await sitePair(30));
    const server = await startIssuer(impostorPaths);
    t.after(() => server.stop());
    const followerPaths = await lbState(FOLLOWER.name, FOLLOWER.address);
    const { sync, installs } = follower(followerPaths, server.port);
    await assert.rejects(sync.syncOnce(), { code: 'ACME_ISSUER_TLS_REFUSED', message: /names lb3, not lb1/ });
    assert.equal(installs.length, 0);
    assert.deepEqual(await live(followerPaths), { certificate: null, key: null });
  });

  test('a pair whose key is not its certificate’s is refused, and nothing installed', async (t) => {
    const issuerPaths = await lbState(ISSUER.name, ISSUER.address);
    await putLive(issuerPaths, {
      certificate: (await sitePair(30)).certificate,
      key: (await sitePair(30)).key,
    });
    const server = await startIssuer(issuerPaths);
    t.after(() => server.stop());
    const followerPaths = await lbState(FOLLOWER.name, FOLLOWER.address);
    const { sync, installs } = follower(followerPaths, server.port);
    await assert.rejects(sync.syncOnce(), {
      code: 'ACME_PAIR_INVALID',
      message: /key is not the certificate/,
    });
    assert.equal(installs.length, 0);
    assert.deepEqual(await live(followerPaths), { certificate: null, key: null });
    const attempt = await readAcmeState(localHost, followerPaths);
    assert.deepEqual([attempt?.ok, attempt?.code], [false, 'ACME_PAIR_INVALID']);
  });

  test('an expired or malformed pair is refused', async () => {
    const pair = await sitePair(30);
    const later = Date.parse(new X509Certificate(pair.certificate).validTo) + 1000;
    assert.throws(() => checkedPair(pair, 'lb1', later), { code: 'ACME_PAIR_INVALID', message: /expired/ });
    assert.throws(() => checkedPair({ ...pair, certificate: 'x' }, 'lb1'), { code: 'ACME_PAIR_INVALID' });
    assert.throws(() => checkedPair({ ...pair, key: pair.certificate }, 'lb1'), {
      code: 'ACME_PAIR_INVALID',
    });
  });

  test('the issuer down, or silent: ACME_ISSUER_UNREACHABLE', { timeout: 20_000 }, async (t) => {
    const server = await startIssuer(await lbState(ISSUER.name, ISSUER.address));
    const port = server.port;
    await server.stop();
    const followerPaths = await lbState(FOLLOWER.name, FOLLOWER.address);
    await assert.rejects(follower(followerPaths, port).sync.syncOnce(), {
      code: 'ACME_ISSUER_UNREACHABLE',
      message: /ECONNREFUSED/,
    });

    // Accepts the connection and never answers: the fetch's bound ends it.
    const accepted: Socket[] = [];
    const silent: TcpServer = createTcpServer((socket) => accepted.push(socket.on('error', () => {})));
    await new Promise<void>((resolve) => silent.listen(0, ISSUER.address, resolve));
    t.after(() => {
      for (const socket of accepted) socket.destroy();
      silent.close();
    });
    const address = silent.address();
    assert.ok(address && typeof address === 'object');
    const { sync } = follower(followerPaths, address.port, { timeoutMs: 500 });
    await assert.rejects(sync.syncOnce(), {
      code: 'ACME_ISSUER_UNREACHABLE',
      message: /no answer within 500 ms/,
    });
  });

  test('a busy port: start() rejects with a coded error', async (t) => {
    const paths = await lbState(ISSUER.name, ISSUER.address);
    const first = await startIssuer(paths);
    t.after(() => first.stop());
    const second = new PairServer({
      host: localHost,
      paths,
      address: ISSUER.address,
      port: first.port,
      allowed: [FOLLOWER.name],
      log: () => {},
    });
    await assert.rejects(second.start(), { code: 'ACME_PAIR_LISTEN_FAILED', message: /EADDRINUSE/ });
  });

  test('start(): syncs at once, again while there is no pair, and stop() ends it', async (t) => {
    const issuerPaths = await lbState(ISSUER.name, ISSUER.address);
    const server = await startIssuer(issuerPaths);
    t.after(() => server.stop());
    const followerPaths = await lbState(FOLLOWER.name, FOLLOWER.address);
    const { sync, installs } = follower(followerPaths, server.port, { retrySeconds: 0.2 });
    sync.start();
    t.after(() => sync.stop());
    await waitFor(
      async () => (await readAcmeState(localHost, followerPaths))?.code === 'ACME_ISSUER_NO_CERTIFICATE',
      {
        what: 'the first sync to find no pair',
      },
    );
    const pair = await sitePair(30);
    await putLive(issuerPaths, pair);
    await waitFor(() => installs.length === 1, { what: 'the retry to install the pair' });
    await sync.stop();
    assert.deepEqual(await live(followerPaths), pair);
    assert.equal((await readAcmeState(localHost, followerPaths))?.ok, true);
  });
});
