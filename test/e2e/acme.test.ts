/**
 * Certificates from a real ACME server: Pebble (Let's Encrypt's test server, Debian's package) on
 * loopback, resolving the site's names through the real DNS server the tests run. The stack's
 * certificates live ten minutes, so the supervisor (checking every few seconds, renewing within a
 * day of expiry) renews all along: issuance on `up`, renewal under load, a failed challenge, and
 * Pebble stopped, each with the real CLI, nginx, curl and Chromium.
 */
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { Agent, request } from 'node:https';
import { after, before, test } from 'node:test';
import { connect } from 'node:tls';
import { localHost } from '../../src/stack/host/index.js';
import { launchBrowser } from '../support/browser.js';
import { type ServedZone, serveTestZone } from '../support/dns.js';
import { freePort } from '../support/nginx.js';
import { startPebble, type TestPebble } from '../support/pebble.js';
import { createTestStack, type TestStack } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

interface TlsStatus {
  certificate: { names: string[]; issuer: string; serial: string; notAfter: string } | null;
  lastAttempt: { at: string; ok: boolean; code?: string; message?: string; problem?: unknown } | null;
}

let zone: ServedZone;
let wrongZone: ServedZone;
let pebble: TestPebble;
let stack: TestStack;
let httpsPort: number;
let httpPort: number;

before(async () => {
  zone = await serveTestZone({ domain: 'foobar.com', serverIp: '127.0.0.1' });
  // The names point at an address where nothing listens: Pebble's check cannot reach the site.
  wrongZone = await serveTestZone({ domain: 'foobar.com', serverIp: '127.0.0.2' });
  httpsPort = await freePort();
  httpPort = await freePort();
  pebble = await startPebble({ httpPort, dnsServer: `127.0.0.1:${zone.port}`, validitySeconds: 600 });
  stack = await createTestStack({
    http: { listen: '127.0.0.1', port: httpPort },
    https: {
      port: httpsPort,
      acme: { directory: pebble.directory, caBundle: pebble.caBundle, renewBeforeDays: 1, checkSeconds: 4 },
    },
  });
});

after(async () => {
  await stack?.destroy();
  await pebble?.destroy();
  await zone?.stop();
  await wrongZone?.stop();
});

async function tlsStatus(): Promise<TlsStatus> {
  const result = await stack.run(['tls', 'status', '--json']);
  return JSON.parse(result.stdout) as TlsStatus;
}

/** The certificate nginx shows for www.foobar.com right now (not verified: only read). */
function servedCertificate(): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: '127.0.0.1', port: httpsPort, servername: 'www.foobar.com', rejectUnauthorized: false },
      () => {
        const raw = socket.getPeerCertificate().raw;
        socket.end();
        resolve(new X509Certificate(raw));
      },
    );
    socket.on('error', reject);
  });
}

/** The certificate nginx presents above the leaf: the issuer in the chain it got from ACME. */
function presentedIssuer(): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: '127.0.0.1', port: httpsPort, servername: 'www.foobar.com', rejectUnauthorized: false },
      () => {
        const raw = socket.getPeerCertificate(true).issuerCertificate?.raw;
        socket.end();
        if (raw) resolve(new X509Certificate(raw));
        else reject(new Error('no issuer certificate presented'));
      },
    );
    socket.on('error', reject);
  });
}

/** GET / over HTTPS, verified against PEM roots (null: not verified). */
function httpsGet(ca: string | null, agent?: Agent): Promise<{ status: number; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: httpsPort,
        path: '/',
        servername: 'www.foobar.com',
        headers: { host: 'www.foobar.com' },
        ...(ca === null ? { rejectUnauthorized: false } : { ca }),
        ...(agent ? { agent } : { agent: false }),
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
      },
    );
    req.on('error', (error) => reject(Object.assign(error, { reused: req.reusedSocket })));
    req.end();
  });
}

test('up gets the certificate from Pebble and serves HTTPS and HTTP/2 with its chain (curl, Chromium)', async () => {
  const up = await stack.up();
  assert.equal(up.code, 0, up.stderr + up.stdout);
  console.log(
    up.stdout
      .split('\n')
      .filter((line) => /certificate|expires|attempt/.test(line))
      .join('\n'),
  );
  const status = await tlsStatus();
  assert.deepEqual(status.certificate?.names, ['www.foobar.com', 'foobar.com']);
  assert.match(String(status.certificate?.issuer), /Pebble/);
  const root = await pebble.root();
  const rootFile = `${stack.dir}/pebble-root.pem`;
  await localHost.writeAtomic(rootFile, root, { mode: 0o644 });
  const curl = await localHost.run([
    'curl',
    '--http2',
    '-sS',
    '-o',
    '/dev/null',
    '-w',
    '%{http_version} %{http_code} %{ssl_verify_result}',
    '--cacert',
    rootFile,
    '--resolve',
    `www.foobar.com:${httpsPort}:127.0.0.1`,
    `https://www.foobar.com:${httpsPort}/`,
  ]);
  console.log(`curl --http2 https://www.foobar.com:${httpsPort}/ → ${curl.stdout}`);
  assert.equal(curl.stdout, '2 200 0', 'HTTP/2, 200, the chain verified against Pebble’s root');
  // HTTP redirects to HTTPS, and the challenge location stays on HTTP.
  const redirect = await localHost.run([
    'curl',
    '-sS',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code} %{redirect_url}',
    '-H',
    'Host: www.foobar.com',
    `http://127.0.0.1:${httpPort}/x`,
  ]);
  assert.equal(redirect.stdout, `301 https://www.foobar.com:${httpsPort}/x`);

  // Chromium takes the chain on the key of the intermediate nginx presents above the leaf (curl
  // verified that chain up to Pebble's root): the flag matches keys of presented certificates only.
  const intermediate = await presentedIssuer();
  assert.match(intermediate.subject, /Pebble Intermediate/);
  const spki = createHash('sha256')
    .update(intermediate.publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64');
  const browser = await launchBrowser('127.0.0.1', [`--ignore-certificate-errors-spki-list=${spki}`]);
  try {
    const page = await browser.browser.newPage();
    const response = await page.goto(`https://www.foobar.com:${httpsPort}/`);
    assert.equal(response?.status(), 200);
    const security = await response?.securityDetails();
    console.log(`Chromium: ${JSON.stringify(security)}`);
    assert.match(String(security?.issuer), /Pebble/);
    assert.equal(await page.evaluate('window.isSecureContext'), true);
    // What Lighthouse's robots.txt audit does: fetch through the page's frame, held to its CSP.
    const cdp = await page.context().newCDPSession(page);
    const { frameTree } = await cdp.send('Page.getFrameTree');
    const { resource } = await cdp.send('Network.loadNetworkResource', {
      frameId: frameTree.frame.id,
      url: `https://www.foobar.com:${httpsPort}/robots.txt`,
      options: { disableCache: true, includeCredentials: true },
    });
    assert.deepEqual([resource.success, resource.httpStatusCode], [true, 200]);
  } finally {
    await browser.close();
  }
});

test('a short-lived certificate is renewed by the supervisor: a new serial, no failed request under load', async () => {
  const root = await pebble.root();
  const first = (await servedCertificate()).serialNumber;
  let running = true;
  const results: string[] = [];
  const loops = Array.from({ length: 4 }, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    while (running) {
      try {
        results.push(String((await httpsGet(root, agent)).status));
      } catch (error) {
        // A GET on a reused keep-alive connection that nginx closed on a reload is sent again once
        // (RFC 9112 9.3.1), as browsers do; any other failure counts.
        const e = error as NodeJS.ErrnoException & { reused?: boolean };
        if (e.reused && ['ECONNRESET', 'EPIPE'].includes(e.code ?? ''))
          results.push(
            String((await httpsGet(root).catch((again: Error) => ({ status: again.message }))).status),
          );
        else results.push(e.code ?? e.message);
      }
    }
    agent.destroy();
  });
  const renewed = await waitFor(
    async () => {
      const serial = (await servedCertificate()).serialNumber;
      return serial !== first && results.length > 50 ? serial : false;
    },
    { what: 'the served certificate to be renewed', timeoutMs: 60_000, intervalMs: 250 },
  );
  running = false;
  await Promise.all(loops);
  const failed = results.filter((status) => status !== '200');
  console.log(`renewed: serial ${first} → ${renewed}; ${results.length} requests, ${failed.length} failed`);
  assert.deepEqual(failed, []);
});

test('a failed challenge keeps the old certificate serving; status and doctor say why', async () => {
  await pebble.restart({ dnsServer: `127.0.0.1:${wrongZone.port}` });
  const failed = await waitFor(
    async () => {
      const status = await tlsStatus();
      return status.lastAttempt?.ok === false && status.lastAttempt.code === 'ACME_CHALLENGE_FAILED'
        ? status
        : false;
    },
    { what: 'a renewal to fail its challenge', timeoutMs: 60_000, intervalMs: 500 },
  );
  console.log(`tls status: ${JSON.stringify(failed.lastAttempt)}`);
  assert.ok(failed.lastAttempt?.problem, 'the problem document is kept');
  assert.equal((await servedCertificate()).serialNumber, failed.certificate?.serial);
  const status = await stack.run(['status']);
  assert.match(status.stdout, /FAILED ACME_CHALLENGE_FAILED: the ACME server could not validate/);
  const doctor = await stack.run(['doctor']);
  console.log(
    doctor.stdout
      .split('\n')
      .filter((line) => /ertificate/.test(line))
      .join('\n'),
  );
  assert.match(doctor.stdout, /ACME_CHALLENGE_FAILED/);
});

test('Pebble stopped during renewals: the site keeps serving, and the supervisor retries later', async () => {
  await pebble.stop();
  const unreachable = await waitFor(
    async () => {
      const status = await tlsStatus();
      return status.lastAttempt?.code === 'ACME_UNREACHABLE' ? status : false;
    },
    { what: 'a renewal to find Pebble gone', timeoutMs: 60_000, intervalMs: 500 },
  );
  console.log(`tls status: ${JSON.stringify(unreachable.lastAttempt)}`);
  const kept = unreachable.certificate?.serial;
  assert.equal((await servedCertificate()).serialNumber, kept);
  const renew = await stack.run(['tls', 'renew', '--force']);
  assert.equal(renew.code, 1);
  assert.match(renew.stderr, /^error ACME_UNREACHABLE: .*\nfix: /);
  // Its root went with the Pebble that issued it: read, not verified, the site still answers on it.
  assert.equal((await httpsGet(null)).status, 200);

  await pebble.restart({ dnsServer: `127.0.0.1:${zone.port}` });
  const back = await waitFor(
    async () => {
      const status = await tlsStatus();
      return status.lastAttempt?.ok === true && status.certificate?.serial !== kept ? status : false;
    },
    { what: 'the supervisor to renew once Pebble is back', timeoutMs: 60_000, intervalMs: 500 },
  );
  console.log(`renewed after Pebble came back: serial ${kept} → ${back.certificate?.serial}`);
  const root = await pebble.root();
  assert.equal((await httpsGet(root)).status, 200);
});
