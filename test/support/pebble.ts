/**
 * Pebble, Let's Encrypt's test ACME server (Debian's `pebble`), on loopback: its own HTTPS
 * certificate from the project's TLS helper (a CA made per run, trusted only by the test), HTTP-01
 * checked against the test stack's nginx port, names resolved through the test's real DNS server.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCa, issueCertificate } from '../../src/stack/components/tls/ca.js';
import { localHost } from '../../src/stack/host/index.js';
import { freePort } from './nginx.js';
import { waitFor } from './wait.js';

export interface PebbleOptions {
  /** Where its ACME API listens (default 127.0.0.1; the lab's bridge address for lab hosts). */
  address?: string;
  /** The nginx HTTP port that HTTP-01 is checked against. */
  httpPort: number;
  /** host:port of the DNS server Pebble resolves the names with. */
  dnsServer: string;
  /** Lifetime of the certificates it issues, in seconds. */
  validitySeconds?: number;
  /** Written into the certificates it issues (Pebble answers no OCSP itself). */
  ocspResponderUrl?: string;
}

export interface TestPebble {
  /** The ACME directory URL. */
  directory: string;
  /** The CA that signed Pebble's own HTTPS certificate: what the stack's https.acme.caBundle names. */
  caBundle: string;
  /** PEM of the root that signs the certificates it issues now (regenerated at each start). */
  root(): Promise<string>;

  /** Starts it again (a new root CA and an empty database, as Pebble always does), maybe pointed elsewhere. */
  restart(options?: Partial<PebbleOptions>): Promise<void>;
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startPebble(options: PebbleOptions): Promise<TestPebble> {
  const dir = await mkdtemp(join(tmpdir(), 'webstack-pebble-'));
  const ca = await ensureCa(localHost, join(dir, 'ca'));
  const address = options.address ?? '127.0.0.1';
  const cert = await issueCertificate(localHost, ca, {
    name: 'pebble',
    addresses: [...new Set(['127.0.0.1', address])],
    dns: ['localhost'],
    dir: join(dir, 'tls'),
  });
  const caBundle = join(dir, 'pebble-ca.pem');
  await writeFile(caBundle, ca.pem);
  const [listen, management, tlsPort] = [await freePort(), await freePort(), await freePort()];
  const agent = new Agent({ ca: ca.pem });
  let current = { ...options };
  let child: ChildProcess | null = null;
  let output = '';

  const fetchText = (url: string) =>
    new Promise<string>((resolve, reject) => {
      get(url, { agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () =>
          res.statusCode === 200 ? resolve(body) : reject(new Error(`${res.statusCode}`)),
        );
      }).on('error', reject);
    });

  const start = async () => {
    const configFile = join(dir, 'pebble-config.json');
    await writeFile(
      configFile,
      JSON.stringify({
        pebble: {
          listenAddress: `${address}:${listen}`,
          managementListenAddress: `127.0.0.1:${management}`,
          certificate: cert.certificate,
          privateKey: cert.key,
          httpPort: current.httpPort,
          tlsPort,
          ocspResponderURL: current.ocspResponderUrl ?? '',
          externalAccountBindingRequired: false,
          ...(current.validitySeconds ? { certificateValidityPeriod: current.validitySeconds } : {}),
        },
      }),
    );
    output = '';
    const proc = spawn('pebble', ['-config', configFile, '-dnsserver', current.dnsServer], {
      env: {
        ...process.env,
        PEBBLE_VA_NOSLEEP: '1',
        PEBBLE_VA_ALWAYS_VALID: '0',
        PEBBLE_WFE_NONCEREJECT: '0',
        PEBBLE_AUTHZREUSE: '0',
        PEBBLE_CHAIN_LENGTH: '2',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    proc.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child = proc;
    await waitFor(() => fetchText(`https://${address}:${listen}/dir`), {
      what: 'Pebble to answer its directory',
      timeoutMs: 20_000,
      giveUp: () => (proc.exitCode !== null ? `pebble exited: ${output.slice(-500)}` : false),
    });
  };

  const stop = async () => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    await exited;
  };

  await start();
  return {
    directory: `https://${address}:${listen}/dir`,
    caBundle,
    root: () => fetchText(`https://127.0.0.1:${management}/roots/0`),

    async restart(more = {}) {
      await stop();
      current = { ...current, ...more };
      await start();
    },
    stop,
    async destroy() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
