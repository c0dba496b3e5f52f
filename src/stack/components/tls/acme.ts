import { get as httpGet } from 'node:http';
import { Agent, get as httpsGet } from 'node:https';
import { dirname, join } from 'node:path';
import * as acme from 'acme-client';
import { WebstackError } from '../../core/errors.js';
import type { Host } from '../../host/host.js';

/** What one issuance needs: the ACME server, the names, and where the files go. */
export interface AcmeIssueOptions {
  directory: string;
  email?: string;
  /** PEM text of the CAs trusted for the ACME server itself (a private or test server). */
  caBundle?: string;
  /** DNS names; the first is the subject. */
  names: readonly string[];
  accountKey: string;
  certificate: string;
  key: string;
  /** Nginx serves this directory at /.well-known/acme-challenge/ on the HTTP port. */
  webroot: string;
}

/** An RFC 7807/9457 problem document, as the ACME server sent it. */
export type ProblemDocument = Record<string, unknown> & { type?: string; detail?: string };

/** A failed issuance: the coded error for the operator, and the ACME server's own words. */
export class AcmeFailure extends Error {
  constructor(
    readonly error: WebstackError,
    readonly problem: ProblemDocument | null,
  ) {
    super(error.message, { cause: error });
  }
}

/** A problem document one issuance received, with the Retry-After that came with it. */
interface Received {
  problem: ProblemDocument;
  retryAfter?: string;
}

/** What one issuance received, in order (acme-client keeps only the problems' detail). */
let received: Received[] | null = null;
acme.axios.interceptors.response.use(
  (response) => {
    record(response.headers, response.data);
    return response;
  },
  (error: { response?: { headers: Record<string, unknown>; data: unknown } }) => {
    if (error.response) record(error.response.headers, error.response.data);
    return Promise.reject(error);
  },
);

function record(headers: Record<string, unknown>, data: unknown): void {
  if (received === null || typeof data !== 'object' || data === null) return;
  const retryAfter = headers['retry-after'];
  const extra = typeof retryAfter === 'string' ? { retryAfter } : {};
  if (String(headers['content-type']).includes('problem+json'))
    received.push({ problem: data as ProblemDocument, ...extra });
  // A challenge or authorization that failed carries its problem in `error` (RFC 8555 7.1.6).
  const body = data as { status?: unknown; error?: unknown };
  if (body.status === 'invalid' && typeof body.error === 'object' && body.error !== null)
    received.push({ problem: body.error as ProblemDocument });
}

/**
 * Fetches the directory once before acme-client does: when the connection fails, acme-client's
 * retry handler loses the reason (it reads the missing response), so it is found out here.
 */
function probeDirectory(directory: string, agent: Agent | undefined): Promise<string | null> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(directory);
    } catch {
      resolve('not a URL');
      return;
    }
    const get = url.protocol === 'https:' ? httpsGet : httpGet;
    const req = get(
      url,
      { ...(agent && url.protocol === 'https:' ? { agent } : {}), timeout: 15_000 },
      (res) => {
        res.resume();
        resolve(null);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/**
 * Gets a certificate for the names with HTTP-01 through nginx's webroot, using acme-client (a
 * maintained RFC 8555 client). The account key is made once; the certificate's key is new each
 * time. Writes the pair to o.certificate and o.key (the caller stages them). Throws an AcmeFailure.
 */
export async function issueCertificate(host: Host, o: AcmeIssueOptions): Promise<void> {
  // The supervisor retries on its own timer: acme-client's own waits (up to Retry-After) would hold it.
  // acmeSettings is acme-client's own addition to its axios instance (src/axios.js), not in axios' types.
  (
    acme.axios.defaults as unknown as { acmeSettings: { retryMaxAttempts: number } }
  ).acmeSettings.retryMaxAttempts = 0;
  const agent = o.caBundle ? new Agent({ ca: o.caBundle }) : undefined;
  acme.axios.defaults.httpsAgent = agent;
  acme.axios.defaults.timeout = 30_000;
  received = [];
  try {
    const unreachable = await probeDirectory(o.directory, agent);
    if (unreachable !== null) throw new WebstackError('ACME_UNREACHABLE', o.directory, unreachable);
    const key = await accountKey(host, o.accountKey);
    // The account's URL is kept beside its key: acme-client registers a key only once (it cannot
    // look up an existing account without sending an update that some servers refuse).
    const urlFile = join(dirname(o.accountKey), 'account.url');
    const known = (await host.readText(urlFile))?.trim();
    const client = (accountUrl?: string) =>
      new acme.Client({
        directoryUrl: o.directory,
        accountKey: key,
        ...(accountUrl ? { accountUrl } : {}),
        backoffMin: 250,
        backoffMax: 3_000,
        backoffAttempts: 20,
      });
    try {
      await order(host, client(known), urlFile, o);
    } catch (error) {
      // A server that forgot the account (a test server restarted, an account removed): register again.
      if (!known || !received?.some((r) => String(r.problem.type).endsWith(':accountDoesNotExist')))
        throw error;
      await host.remove(urlFile);
      received = [];
      await order(host, client(), urlFile, o);
    }
  } catch (error) {
    throw classify(error, o.directory, o.names, received ?? []);
  } finally {
    received = null;
  }
}

/** One order: the account (registered if new), HTTP-01 for every name, the certificate written. */
async function order(host: Host, client: acme.Client, urlFile: string, o: AcmeIssueOptions): Promise<void> {
  try {
    const [commonName, ...altNames] = o.names;
    if (commonName === undefined) throw new WebstackError('TLS_NO_NAMES');
    const [key, csr] = await acme.crypto.createCsr(
      { commonName, altNames: [commonName, ...altNames] },
      await acme.crypto.createPrivateEcdsaKey('P-256'),
    );
    await host.mkdir(o.webroot, { mode: 0o755 });
    const chain = await client.auto({
      csr,
      ...(o.email ? { email: o.email } : {}),
      termsOfServiceAgreed: true,
      challengePriority: ['http-01'],
      // The ACME server checks the token itself; acme-client's own check would ask this machine's resolver.
      skipChallengeVerification: true,
      challengeCreateFn: async (_authz, challenge, keyAuthorization) => {
        await host.writeAtomic(join(o.webroot, challenge.token), keyAuthorization, { mode: 0o644 });
      },
      challengeRemoveFn: async (_authz, challenge) => {
        await host.remove(join(o.webroot, challenge.token));
      },
    });
    await host.mkdir(dirname(o.key), { mode: 0o700 });
    await host.writeAtomic(o.key, key, { mode: 0o600 });
    await host.writeAtomic(o.certificate, chain, { mode: 0o644 });
  } finally {
    const url = accountUrlOf(client);
    if (url) await host.writeAtomic(urlFile, `${url}\n`, { mode: 0o600 });
  }
}

function accountUrlOf(client: acme.Client): string | null {
  try {
    return client.getAccountUrl();
  } catch {
    return null;
  }
}

/** The account key (ECDSA P-256), made on first use, readable by its owner only. */
async function accountKey(host: Host, path: string): Promise<string> {
  const existing = await host.readText(path);
  if (existing) return existing;
  const key = (await acme.crypto.createPrivateEcdsaKey('P-256')).toString();
  await host.mkdir(dirname(path), { mode: 0o700 });
  await host.writeAtomic(path, key, { mode: 0o600 });
  return key;
}

const UNREACHABLE =
  /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|ECONNABORTED|EHOSTUNREACH|ENETUNREACH|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO)/;
/** Problem types that mean the server could not see the token (RFC 8555 6.7). */
const CHALLENGE = /:(connection|unauthorized|dns|incorrectResponse|tls|caa|rejectedIdentifier)$/;

/** One coded line for what went wrong, from the problem document when there is one. */
export function classify(
  error: unknown,
  directory: string,
  names: readonly string[],
  problems: readonly Received[],
): AcmeFailure {
  if (error instanceof AcmeFailure) return error;
  if (error instanceof WebstackError) return new AcmeFailure(error, null);
  const last = problems.at(-1);
  const problem = last?.problem ?? null;
  const message = oneLine(problem?.detail ?? (error as Error).message ?? String(error));
  const type = String(problem?.type ?? '');
  const code = String(
    (error as { code?: unknown }).code ?? (error as { cause?: { code?: unknown } }).cause?.code ?? '',
  );
  const status = (error as { response?: { status?: unknown } }).response?.status;
  if (type.endsWith(':rateLimited') || status === 429) {
    const when = last?.retryAfter ? `the server's Retry-After (${last.retryAfter})` : 'the limit resets';
    return new AcmeFailure(new WebstackError('ACME_RATE_LIMITED', message, when), problem);
  }
  if (CHALLENGE.test(type)) {
    const name = String((problem as { identifier?: { value?: unknown } } | null)?.identifier?.value ?? '');
    return new AcmeFailure(
      new WebstackError('ACME_CHALLENGE_FAILED', name || names.join(', '), message),
      problem,
    );
  }
  // acme-client's retry handler fails reading the response of a connection that failed (src/axios.js).
  const lostConnection = error instanceof TypeError && /reading 'config'/.test(error.message);
  if (problem === null && (lostConnection || UNREACHABLE.test(code) || /directory returned/.test(message)))
    return new AcmeFailure(
      new WebstackError(
        'ACME_UNREACHABLE',
        directory,
        lostConnection ? 'the connection failed' : code || message,
      ),
      null,
    );
  return new AcmeFailure(new WebstackError('ACME_FAILED', message), problem);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 500);
}
