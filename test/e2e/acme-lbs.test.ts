/**
 * ACME across two lbs, as root, in the lab: Pebble (Let's Encrypt's test server) on the lab's
 * bridge address, the site's names on a real named pointing at the floating address. The first lb
 * of the inventory gets the certificate and hands the very same pair to the other lb over TLS with
 * the cluster's CA; a challenge that reaches the other lb (it holds the address) is forwarded to
 * the issuer. Both lbs always serve one certificate.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect } from 'node:tls';
import { statePaths } from '../../src/stack/core/paths.js';
import { LAB_NETWORK } from '../../src/stack/lab/topology.js';
import { type ServedZone, serveTestZone } from '../support/dns.js';
import { exec, tcpOutcome } from '../support/exec.js';
import { holdLab, removeLabOnSignal } from '../support/lab-lock.js';
import { startPebble, type TestPebble } from '../support/pebble.js';
import { cli } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

const address = { lb1: '198.18.0.11', lb2: '198.18.0.12', app1: '198.18.0.13', db1: '198.18.0.14' } as const;
type Name = keyof typeof address;
const VIP = LAB_NETWORK.vip;
const HOST_STATE = '/var/lib/webstack';
const hostPaths = statePaths(HOST_STATE);
const PEER_PORT = 8444;

/** The serial of the certificate an lb shows for www.foobar.com on its own address. */
function servedSerial(host: string): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect(
      { host, port: 443, servername: 'www.foobar.com', rejectUnauthorized: false },
      () => {
        const serial = socket.getPeerCertificate().serialNumber ?? null;
        socket.end();
        resolve(serial);
      },
    );
    socket.setTimeout(5000, () => socket.destroy());
    socket.on('error', () => resolve(null));
    socket.on('close', () => resolve(null));
  });
}

describe('ACME across two lbs: one issuance, the same pair on both, challenges answered whichever lb holds the address', {
  timeout: 1_200_000,
}, () => {
  const parent = mkdtempSync('/var/lib/webstack-acme-lbs-e2e-');
  const dir = join(parent, 'lab');
  const inventory = join(dir, 'lab.json');
  const lab = (...args: string[]) => cli(['lab', ...args, '--dir', dir], { timeoutMs: 120_000 });
  const webstack = (args: readonly string[]) => cli(['--config', inventory, ...args], { timeoutMs: 900_000 });
  const onMachine = (name: Name, path: string) =>
    join(dir, 'hosts', name, 'var-lib-webstack', path.slice(HOST_STATE.length + 1));
  const holds = async (lb: 'lb1' | 'lb2') =>
    (await exec('ip', ['-n', lb, '-o', '-4', 'addr', 'show', 'to', VIP])).stdout.includes(VIP);
  /** Both lbs serve one certificate, not SERIAL (when given): its serial. */
  const bothServe = async (not?: string) => {
    const [one, two] = [await servedSerial(address.lb1), await servedSerial(address.lb2)];
    return one !== null && one === two && one !== not ? one : false;
  };
  let releaseLab: (() => Promise<void>) | undefined;
  let keepLabOnSignal: (() => void) | undefined;
  let zone: ServedZone | undefined;
  let pebble: TestPebble | undefined;
  let first = '';

  before(async () => {
    releaseLab = await holdLab();
    keepLabOnSignal = removeLabOnSignal(dir, parent);
    const up = await lab('up', '--lb', '2', '--app', '1', '--db', '1');
    assert.equal(up.code, 0, up.stderr + up.stdout);
    // The names point at the floating address; Pebble reaches it from this machine over the bridge.
    zone = await serveTestZone({ domain: 'foobar.com', serverIp: VIP });
    pebble = await startPebble({
      address: LAB_NETWORK.bridgeAddress,
      httpPort: 80,
      dnsServer: `127.0.0.1:${zone.port}`,
    });
    const config = JSON.parse(readFileSync(inventory, 'utf8'));
    config.https = { acme: { directory: pebble.directory, caBundle: pebble.caBundle, peerPort: PEER_PORT } };
    await writeFile(inventory, JSON.stringify(config, null, 2));
  });

  after(async () => {
    keepLabOnSignal?.();
    await lab('down');
    await pebble?.destroy();
    await zone?.stop();
    await rm(parent, { recursive: true, force: true });
    await releaseLab?.();
  });

  test('up: lb1 gets the certificate from ACME, lb2 takes the same pair from lb1; HTTPS answers at the floating address', async () => {
    const up = await webstack(['up']);
    assert.equal(up.code, 0, up.stderr + up.stdout);
    const serial = await waitFor(() => bothServe(), {
      what: 'both lbs to serve one certificate',
      timeoutMs: 120_000,
    });
    first = serial;
    const status = await webstack(['tls', 'status']);
    assert.equal(status.code, 0, status.stderr + status.stdout);
    console.log(`webstack tls status, across the lbs:\n${status.stdout}`);
    assert.match(status.stdout, /lb1[\s\S]*Pebble Intermediate CA[\s\S]*lb2/);
    assert.equal(status.stdout.split(`serial ${serial}`).length - 1, 2, status.stdout);
    // Once: lb1's ACME account exists, lb2 has none.
    assert.ok(readFileSync(onMachine('lb1', hostPaths.tls.acme.accountKey), 'utf8').length > 0);
    assert.throws(() => readFileSync(onMachine('lb2', hostPaths.tls.acme.accountKey)));
    // The pair's key is the host's own secret, 0600 on both.
    for (const lb of ['lb1', 'lb2'] as const) {
      const mode = await exec('stat', ['-c', '%a', onMachine(lb, hostPaths.tls.acme.key)]);
      assert.equal(mode.stdout.trim(), '600', lb);
    }
    // Through the floating address, by name, with Pebble's chain.
    const rootFile = join(parent, 'pebble-root.pem');
    await writeFile(rootFile, (await pebble?.root()) ?? '');
    const page = await exec('curl', [
      '-sS',
      '--cacert',
      rootFile,
      '--resolve',
      `www.foobar.com:443:${VIP}`,
      '-o',
      '/dev/null',
      '-w',
      '%{http_code} %{http_version}',
      'https://www.foobar.com/',
    ]);
    assert.equal(page.stdout, '200 2', page.stderr);
    // The pair port takes no connection from outside the lbs (this machine is outside).
    assert.equal(await tcpOutcome(address.lb1, PEER_PORT), 'timeout');
  });

  test('the address on lb2: a forced renewal on lb1 is validated through lb2, and lb2 serves the new pair', async () => {
    assert.ok(first, 'the first test issued a certificate');
    assert.equal(await holds('lb1'), true);
    // keepalived on lb1 stops: the address goes to lb2; restarted by lb1's supervisor, it stands by.
    // (Its pid from lb1's supervisor: the lab's hosts share this machine's process table.)
    const status = JSON.parse((await webstack(['status', '--json'])).stdout) as {
      hosts: { host: string; status: { components?: { name: string; pid: number | null }[] } }[];
    };
    const pid = status.hosts
      .find((h) => h.host === 'lb1')
      ?.status.components?.find((c) => c.name === 'keepalived')?.pid;
    assert.ok(pid, JSON.stringify(status));
    process.kill(pid, 'SIGTERM');
    await waitFor(async () => (await holds('lb2')) && !(await holds('lb1')), {
      what: 'the floating address on lb2 alone',
      timeoutMs: 30_000,
    });
    const log = onMachine('lb2', hostPaths.nginx.accessLog);
    const before = readFileSync(log, 'utf8').length;
    const renewed = await webstack(['tls', 'renew', '--force']);
    assert.equal(renewed.code, 0, renewed.stderr + renewed.stdout);
    const serial = await waitFor(() => bothServe(first), {
      what: 'both lbs to serve the renewed certificate',
      timeoutMs: 60_000,
    });
    assert.notEqual(serial, first);
    console.log(`renewed on lb1 while lb2 held ${VIP}: serial ${first} → ${serial}, served by both`);
    assert.equal(await holds('lb2'), true, 'lb2 held the address during the renewal');
    // Pebble's check came in at lb2, which handed it to lb1.
    const seen = readFileSync(log, 'utf8').slice(before);
    assert.match(seen, /\/\.well-known\/acme-challenge\//);
  });
});
