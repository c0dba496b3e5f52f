/**
 * A real nginx for tests: rendered config, its own prefix, logs and pid file under a fresh temp
 * dir, listening on a free loopback port; stopped by its PID. Plus a tiny node:http upstream and a
 * raw HTTP client that can set any Host header (fetch cannot).
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NginxConfOptions, renderNginxConf } from '../../src/stack/components/nginx/conf.js';
import { startNginx, writeErrorPages } from '../../src/stack/components/nginx/index.js';
import type { NginxProcess } from '../../src/stack/components/nginx/process.js';
import { localHost } from '../../src/stack/host/index.js';
import { freePort } from './ports.js';

export { freePort };

export interface TestNginx {
  port: number;
  dir: string;
  confPath: string;
  prefix: string;
  options: NginxConfOptions;
  process: NginxProcess;
  /** A file beside the static roots that must never be served. */
  secretFile: string;
  stop(): Promise<void>;
}

export const SECRET = 'TOP-SECRET-do-not-serve';

/** Starts nginx in front of 127.0.0.1:upstreamPort. */
export async function startTestNginx(options: {
  upstreamPort: number;
  clientMaxBodyBytes?: number;
  statusPort?: number;
  /** Turn on the micro-cache, under the prefix. */
  microCache?: boolean;
}): Promise<TestNginx> {
  const dir = await mkdtemp(join(tmpdir(), 'webstack-nginx-'));
  // Workers run as nobody when the master is root: let them read the static roots.
  await chmod(dir, 0o755);
  const prefix = join(dir, 'nginx');
  for (const sub of ['assets', 'uploads', 'errors', 'logs', 'run', 'nginx']) await mkdir(join(dir, sub));
  const secretFile = join(dir, 'secret.txt');
  await writeFile(secretFile, SECRET);
  await writeErrorPages(localHost, join(dir, 'errors'));
  const port = await freePort();
  const conf: NginxConfOptions = {
    serverName: 'www.foobar.com',
    apexName: 'foobar.com',
    listen: { host: '127.0.0.1', port },
    upstream: { host: '127.0.0.1', port: options.upstreamPort },
    assetsDir: join(dir, 'assets'),
    uploadsCacheDir: join(dir, 'nginx', 'uploads-cache'),
    errorPagesDir: join(dir, 'errors'),
    accessLog: join(dir, 'logs', 'access.log'),
    errorLog: join(dir, 'logs', 'error.log'),
    pidFile: join(dir, 'run', 'nginx.pid'),
    tempDir: prefix,
    clientMaxBodyBytes: options.clientMaxBodyBytes ?? 1024 * 1024,
    ...(options.statusPort === undefined ? {} : { statusPort: options.statusPort }),
    ...(options.microCache ? { microCacheDir: join(prefix, 'micro-cache') } : {}),
  };
  const confPath = join(prefix, 'nginx.conf');
  await writeFile(confPath, renderNginxConf(conf));
  let proc: NginxProcess;
  try {
    proc = await startNginx(localHost, {
      conf: confPath,
      prefix,
      pidFile: conf.pidFile,
      errorLog: conf.errorLog,
      listen: conf.listen,
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    dir,
    confPath,
    prefix,
    options: conf,
    process: proc,
    secretFile,
    async stop() {
      await proc.stop(5000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface TestUpstream {
  port: number;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** A tiny app server: answers 200 with a JSON echo of what it received. */
export async function startTestUpstream(port = 0): Promise<TestUpstream> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ upstream: true, url: req.url, requestId: req.headers['x-request-id'] }));
    });
  });
  // Longer than nginx's upstream keepalive_timeout, so Node never closes a connection nginx is reusing.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP/1.1 request over a fresh connection with exactly the Host given (or none). */
export function httpRequest(options: {
  port: number;
  host?: string | null;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  address?: string;
}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { connection: 'close', ...options.headers };
    if (options.host !== null) headers.host = options.host ?? 'www.foobar.com';
    const req = request(
      {
        host: options.address ?? '127.0.0.1',
        port: options.port,
        path: options.path,
        method: options.method ?? 'GET',
        headers,
        setHost: false,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The password `webstack user add` prints once for an account it generated one for. */
export function shownPassword(stdout: string): string {
  const password = /password \(shown once\): (\S+)/.exec(stdout)?.[1];
  if (!password) throw new Error(`no generated password in: ${stdout}`);
  return password;
}

/** Logs EMAIL in over the API (through TARGET's Nginx, by name): its session cookie and CSRF token. */
export async function apiLogin(
  target: { port: number; address?: string },
  email: string,
  password: string,
): Promise<{ cookie: string; csrfToken: string }> {
  const login = await httpRequest({
    ...target,
    path: '/api/v1/session',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (login.status !== 200) throw new Error(`login of ${email} answered ${login.status}: ${login.body}`);
  const cookie = ([] as string[])
    .concat(login.headers['set-cookie'] ?? [])
    .map((c) => c.split(';')[0])
    .join('; ');
  const { csrfToken } = JSON.parse(login.body) as { csrfToken: string };
  return { cookie, csrfToken };
}
