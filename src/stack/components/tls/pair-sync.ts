/**
 * The ACME pair of a site with two lbs: ONE lb (the issuer) gets and renews it from ACME; the other
 * (the follower) fetches it from the issuer and serves the very same certificate and key. The lbs
 * have no SSH to each other, so the issuer's supervisor serves the pair over HTTPS with mutual TLS
 * of the cluster CA: only a client whose certificate (signed by that CA) names an allowed host
 * gets it, and the follower only takes it from a server whose certificate names the issuer.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createServer as createHttpsServer, request, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { isWebstackError, WebstackError } from '../../core/errors.js';
import type { StatePaths } from '../../core/paths.js';
import type { Host } from '../../host/host.js';
import { type AcmeAttempt, certificateInfo } from './renewal.js';

export const PAIR_PATH = '/acme/pair';
/** Headers, a request and an idle connection each get this long: the pair is a few kB. */
const REQUEST_TIMEOUT_MS = 10_000;
/** A full chain and a key are a few kB; anything much larger is not a pair. */
const MAX_PAIR_BYTES = 256 * 1024;
/** While the follower has no pair at all, it asks again this often. */
const NO_PAIR_RETRY_SECONDS = 5;
/** After a failed fetch, the next one comes this soon (or at the next check, when sooner). */
const FAILED_RETRY_SECONDS = 60;

export interface Pair {
  certificate: string;
  key: string;
}

/** The host's cluster TLS material (paths.tls): the CA it trusts and its own certificate and key. */
interface ClusterTls {
  ca: string;
  cert: string;
  key: string;
}

async function readClusterTls(host: Host, paths: StatePaths): Promise<ClusterTls> {
  const ca = await host.readText(paths.tls.caCertificate);
  if (ca === null) throw new WebstackError('CLUSTER_CA_MISSING', paths.tls.caCertificate);
  const cert = await host.readText(paths.tls.serverCertificate);
  if (cert === null) throw new WebstackError('ACME_PAIR_TLS_MISSING', paths.tls.serverCertificate);
  const key = await host.readText(paths.tls.serverKey);
  if (key === null) throw new WebstackError('ACME_PAIR_TLS_MISSING', paths.tls.serverKey);
  return { ca, cert, key };
}

export interface PairServerOptions {
  host: Host;
  paths: StatePaths;
  /** The issuer's own inventory address: the only one it listens on. */
  address: string;
  /** 0 picks a free one (tests); `port` tells which after start(). */
  port: number;
  /** The host names (subject CN of their cluster certificates) that may fetch the pair: the other lb. */
  allowed: readonly string[];
  log: (line: string) => void;
}

/** The issuer's side: answers GET /acme/pair to the allowed lbs, and nothing else. */
export class PairServer {
  private server: Server | null = null;

  constructor(private readonly options: PairServerOptions) {}

  /** Resolves once listening; a coded error when the port cannot be had or the TLS files are missing. */
  async start(): Promise<void> {
    const { host, paths, address, port } = this.options;
    const tls = await readClusterTls(host, paths);
    const server = createHttpsServer(
      {
        ...tls,
        requestCert: true,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.3',
        handshakeTimeout: REQUEST_TIMEOUT_MS,
        headersTimeout: REQUEST_TIMEOUT_MS,
        requestTimeout: REQUEST_TIMEOUT_MS,
        keepAliveTimeout: 1000,
      },
      (req, res) => {
        const answer = (status: number, body: object, headers: Record<string, string> = {}) => {
          // One request per connection: no body is read, so none is left to confuse a next one.
          res.writeHead(status, {
            'content-type': 'application/json',
            'cache-control': 'no-store',
            connection: 'close',
            ...headers,
          });
          res.end(JSON.stringify(body));
        };
        const name = (req.socket as TLSSocket).getPeerCertificate().subject?.CN;
        if (typeof name !== 'string' || !this.options.allowed.includes(name)) {
          this.options.log(
            `acme pair: refused ${name ?? 'a client without a name'} (not an lb of this site)`,
          );
          return answer(403, { error: 'forbidden' });
        }
        if (req.url !== PAIR_PATH) return answer(404, { error: 'not found' });
        if (req.method !== 'GET') return answer(405, { error: 'method not allowed' }, { allow: 'GET' });
        this.readPair().then(
          (pair) => (pair ? answer(200, pair) : answer(404, { error: 'no certificate yet' })),
          (error: Error) => {
            this.options.log(`acme pair: cannot read the pair: ${error.message}`);
            answer(503, { error: 'the pair cannot be read' });
          },
        );
      },
    );
    server.timeout = REQUEST_TIMEOUT_MS;
    server.maxConnections = 16;
    await new Promise<void>((resolve, reject) => {
      const refuse = (error: NodeJS.ErrnoException) =>
        reject(new WebstackError('ACME_PAIR_LISTEN_FAILED', address, port, error.code ?? error.message));
      server.once('error', refuse);
      server.listen({ host: address, port, exclusive: true }, () => {
        server.off('error', refuse);
        server.on('error', (error) => this.options.log(`acme pair server: ${error.message}`));
        resolve();
      });
    });
    server.on('tlsClientError', (error, socket) =>
      this.options.log(`acme pair: refused a TLS client at ${socket.remoteAddress}: ${error.message}`),
    );
    this.server = server;
  }

  /** The port listened on (the chosen one when started with 0). */
  get port(): number {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : this.options.port;
  }

  private async readPair(): Promise<Pair | null> {
    const live = this.options.paths.tls.acme;
    const certificate = await this.options.host.readText(live.certificate);
    const key = await this.options.host.readText(live.key);
    return certificate !== null && key !== null ? { certificate, key } : null;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}

export interface PairFollowerOptions {
  host: Host;
  paths: StatePaths;
  /** The issuing lb: its host name (the CN of its cluster certificate), inventory address and pair port. */
  issuer: { name: string; address: string; port: number };
  /** Swaps a fetched pair in and reloads nginx (CertificateManager.installPair). */
  install: (pair: Pair) => Promise<void>;
  /** How often to ask once this lb has a pair: the ACME checkSeconds. */
  intervalSeconds: number;
  /** How often to ask while this lb has no pair at all; default 5. */
  retrySeconds?: number;
  /** One fetch's bound, connecting included; default 10 000. */
  timeoutMs?: number;
  log: (line: string) => void;
}

export type SyncResult = 'installed' | 'current' | 'none';

/** The response of the issuer, before it is trusted. */
type Fetched = { status: 200; pair: Pair } | { status: 404 } | { status: number };

/** Connection failures that mean "not there (yet)", rather than "there, but refused". */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EADDRNOTAVAIL',
  'ECONNRESET',
]);

/** The follower's side: fetches the issuer's pair, checks it, and installs it when it is newer. */
export class PairFollower {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<SyncResult> | null = null;
  private stopped = true;

  constructor(private readonly options: PairFollowerOptions) {}

  private get where(): string {
    const { address, port } = this.options.issuer;
    return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
  }

  /** One fetch, check and (when newer) install; one at a time. Logs, keeps the attempt, throws its coded error. */
  syncOnce(): Promise<SyncResult> {
    this.running ??= this.attempt().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async attempt(): Promise<SyncResult> {
    const { issuer, log } = this.options;
    try {
      const result = await this.sync();
      if (result === 'none') {
        const error = new WebstackError('ACME_ISSUER_NO_CERTIFICATE', issuer.name);
        await this.record(false, error);
        log(`certificate: ${error.code}: ${error.message}`);
      } else await this.record(true);
      return result;
    } catch (error) {
      const coded = isWebstackError(error) ? error : this.refused(error);
      await this.record(false, coded).catch(() => {});
      log(`certificate: ${coded.code}: ${coded.message}`);
      throw coded;
    }
  }

  private async sync(): Promise<SyncResult> {
    const { host, paths, issuer } = this.options;
    const fetched = await this.fetch(await readClusterTls(host, paths));
    if (fetched.status === 404) return 'none';
    if (fetched.status === 403) throw new WebstackError('ACME_PAIR_FORBIDDEN', issuer.name, fetched.status);
    if (!('pair' in fetched))
      throw new WebstackError('ACME_PAIR_INVALID', issuer.name, `the issuer answered HTTP ${fetched.status}`);
    const offered = checkedPair(fetched.pair, issuer.name);
    const current = certificateInfo(await host.readText(paths.tls.acme.certificate));
    if (current?.serial === offered.serial) return 'current';
    if (current && Date.parse(current.notAfter) >= offered.notAfter) {
      this.options.log(
        `certificate: the issuer's (serial ${offered.serial}) does not outlast the one in use (serial ${current.serial}); kept`,
      );
      return 'current';
    }
    await this.options.install(fetched.pair);
    this.options.log(
      `certificate installed from ${issuer.name}: serial ${offered.serial}, expires ${new Date(offered.notAfter).toISOString()}`,
    );
    return 'installed';
  }

  private fetch(tls: ClusterTls): Promise<Fetched> {
    const { issuer, timeoutMs = REQUEST_TIMEOUT_MS } = this.options;
    return new Promise<Fetched>((resolve, reject) => {
      let secured = false;
      const req = request(
        {
          host: issuer.address,
          port: issuer.port,
          path: PAIR_PATH,
          method: 'GET',
          ...tls,
          minVersion: 'TLSv1.3',
          agent: false,
          timeout: timeoutMs,
          // The default checks the address against the certificate's IP entries; the CN must be the issuer too.
          checkServerIdentity: (hostname: string, cert: PeerCertificate) =>
            checkServerIdentity(hostname, cert) ??
            (cert.subject?.CN === issuer.name
              ? undefined
              : Object.assign(new Error(`its certificate names ${cert.subject?.CN}, not ${issuer.name}`), {
                  code: 'ERR_TLS_CERT_ALTNAME_INVALID',
                })),
        },
        (res) => {
          const status = res.statusCode ?? 0;
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_PAIR_BYTES) req.destroy(pairInvalid(issuer.name, 'the answer is too large'));
            else chunks.push(chunk);
          });
          res.on('error', reject);
          res.on('end', () => {
            if (status !== 200) return resolve({ status });
            try {
              resolve({ status, pair: parsePair(Buffer.concat(chunks).toString('utf8')) });
            } catch {
              reject(pairInvalid(issuer.name, 'the answer is not a { certificate, key } JSON object'));
            }
          });
        },
      );
      // `timeout` bounds each silence (connecting included), this the whole fetch.
      const late = () =>
        req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
      const deadline = setTimeout(late, timeoutMs);
      req.on('timeout', late);
      req.on('socket', (socket) => socket.once('secureConnect', () => (secured = true)));
      req.on('error', (error: NodeJS.ErrnoException) => {
        // TLS 1.3: the server checks this lb's certificate after the client's handshake is done, and
        // hangs up when it does not take it; a reset before any TLS is a closed door (a firewall's).
        if (error.code === 'ECONNRESET' && secured)
          reject(
            Object.assign(
              new Error('the issuer hung up after the handshake: it does not take this lb’s certificate'),
              { code: 'ERR_TLS_CLIENT_REFUSED', cause: error },
            ),
          );
        else reject(error);
      });
      req.on('close', () => clearTimeout(deadline));
      req.end();
    });
  }

  /** A failure of the connection, as the coded error an operator can act on. */
  private refused(error: unknown): WebstackError {
    const { code = '', message } = error as NodeJS.ErrnoException;
    const reason = code && !message.includes(code) ? `${code}: ${message}` : message;
    const { name } = this.options.issuer;
    return UNREACHABLE.has(code)
      ? new WebstackError('ACME_ISSUER_UNREACHABLE', name, this.where, reason, { cause: error })
      : new WebstackError('ACME_ISSUER_TLS_REFUSED', name, this.where, reason, { cause: error });
  }

  private async record(ok: boolean, error?: WebstackError): Promise<void> {
    const lastAttempt: AcmeAttempt = {
      at: new Date().toISOString(),
      ok,
      ...(error ? { code: error.code, message: error.message, fix: error.fix } : {}),
      problem: null,
    };
    await this.options.host.writeAtomic(
      this.options.paths.tls.acme.state,
      `${JSON.stringify({ lastAttempt }, null, 2)}\n`,
      { mode: 0o600 },
    );
  }

  /** Syncs now, then every intervalSeconds (every retrySeconds while this lb has no pair). */
  start(): void {
    this.stopped = false;
    void this.tick();
  }

  private async tick(): Promise<void> {
    const failed = await this.syncOnce().then(
      () => false,
      () => true,
    );
    if (this.stopped) return;
    const { host, paths, intervalSeconds, retrySeconds = NO_PAIR_RETRY_SECONDS } = this.options;
    const hasPair = await host.exists(paths.tls.acme.certificate).catch(() => false);
    if (this.stopped) return;
    // A failed fetch (the issuer down, or caught between the two renames of its install) is
    // tried again within a minute, not at the next check hours away.
    const seconds = !hasPair
      ? retrySeconds
      : failed
        ? Math.min(intervalSeconds, FAILED_RETRY_SECONDS)
        : intervalSeconds;
    this.timer = setTimeout(() => void this.tick(), seconds * 1000);
    this.timer.unref();
  }

  /** Stops the timer; resolves once a sync under way has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }
}

function pairInvalid(issuer: string, reason: string): WebstackError {
  return new WebstackError('ACME_PAIR_INVALID', issuer, reason);
}

function parsePair(text: string): Pair {
  const body = JSON.parse(text) as { certificate?: unknown; key?: unknown };
  if (typeof body.certificate !== 'string' || typeof body.key !== 'string') throw new Error('not a pair');
  return { certificate: body.certificate, key: body.key };
}

/** The pair's serial and end, once both PEMs parse, the key is the certificate's and it has not expired. */
export function checkedPair(
  pair: Pair,
  issuer: string,
  now = Date.now(),
): { serial: string; notAfter: number } {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pair.certificate);
  } catch {
    throw pairInvalid(issuer, 'the certificate is not a PEM certificate');
  }
  let matches: boolean;
  try {
    matches = cert.checkPrivateKey(createPrivateKey(pair.key));
  } catch {
    throw pairInvalid(issuer, 'the key is not a PEM private key');
  }
  if (!matches) throw pairInvalid(issuer, 'the key is not the certificate’s');
  const notAfter = Date.parse(cert.validTo);
  if (!(notAfter > now)) throw pairInvalid(issuer, `the certificate expired on ${cert.validTo}`);
  return { serial: cert.serialNumber, notAfter };
}
