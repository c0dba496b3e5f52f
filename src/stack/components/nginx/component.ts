import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import type { ResolvedConfig } from '../../core/config/load.js';
import { WebstackError } from '../../core/errors.js';
import type { StatePaths } from '../../core/paths.js';
import type { Host } from '../../host/host.js';
import type { ComponentStatus } from '../../supervisor/control/types.js';
import { KeepAlive } from '../../supervisor/keep-alive.js';
import { ensureSelfSignedCertificate, namesOcspResponder } from '../tls/certificate.js';
import * as nginxCommands from './commands.js';
import { type Endpoint, renderNginxConf } from './conf.js';
import { applyNginxConfig, detectNginxModules, nginxHealth, startNginx, writeErrorPages } from './index.js';
import { listenHolders, stopProcesses } from './orphans.js';
import type { TlsOptions } from './tls-conf.js';
import { type HostCapacity, readHostCapacity, sizeWorkerConnections } from './worker-limits.js';

/** A port free on 127.0.0.1 right now (the OS picks it). */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The node:cluster workers share one address, and nginx retries a failed idempotent request only
 * on another *peer*: so the one address is listed several times, each never marked down
 * (max_fails=0). A retry then reaches the cluster again, which hands it to a live worker.
 */
export function appPeers(config: ResolvedConfig, drained: ReadonlySet<string> = new Set()): Endpoint[] {
  const hosts = config.here?.upstreams ?? [];
  if (!config.inventory.single && hosts.length > 0) return clusterPeers(hosts, config, drained);
  const peer = { host: config.app.host, port: config.app.port, maxFails: 0 };
  // nginx tries each peer at most once per request, and a dead worker can leave several idle
  // keep-alive connections in nginx's cache that fail in turn: so twice the workers, plus two.
  return Array.from({ length: 2 * Math.max(1, config.workerCount) + 2 }, () => ({ ...peer }));
}

/**
 * Several app hosts: each is one peer, marked down after a failure (nginx's passive check) and
 * left alone for PEER_FAIL_SECONDS, then tried again. One peer per host, because nginx retries
 * a request on a peer it has not tried yet: listed twice, a dead host could take every retry.
 */
function clusterPeers(
  hosts: readonly { host: string; address: string }[],
  config: ResolvedConfig,
  drained: ReadonlySet<string>,
): Endpoint[] {
  return hosts.map((host) => ({
    host: host.address,
    port: config.app.port,
    maxFails: 1,
    failTimeoutSeconds: PEER_FAIL_SECONDS,
    ...(drained.has(host.host) ? { down: true } : {}),
  }));
}

/** An app host answers a page in milliseconds: one silent this long is taken for dead. */
export const CLUSTER_READ_TIMEOUT_SECONDS = 10;

/** How long nginx leaves an app host alone after a failed request to it. */
export const PEER_FAIL_SECONDS = 10;

/** HTTPS when enabled: the configured pair, or a self-signed one for local use made once under the state dir. */
export async function tlsOptions(
  host: Host,
  config: ResolvedConfig,
  paths: StatePaths,
): Promise<TlsOptions | undefined> {
  const https = config.https;
  if (!https.enabled) return undefined;
  if (https.acme) {
    // Until the first certificate is issued the site is served over HTTP (with the challenge location).
    const pem = await host.readText(paths.tls.acme.certificate);
    if (pem === null || !(await host.exists(paths.tls.acme.key))) return undefined;
    const live = { port: https.port, certificate: paths.tls.acme.certificate, key: paths.tls.acme.key };
    return namesOcspResponder(pem) ? { ...live, ocspStapling: true } : live;
  }
  if (https.certificate && https.key) {
    const pem = (await host.readText(https.certificate)) ?? '';
    return {
      port: https.port,
      certificate: https.certificate,
      key: https.key,
      ...(namesOcspResponder(pem) ? { ocspStapling: true } : {}),
    };
  }
  const certificate = join(paths.nginx.prefix, 'tls', 'self-signed.crt');
  const key = join(paths.nginx.prefix, 'tls', 'self-signed.key');
  await ensureSelfSignedCertificate(host, { certificate, key, names: [config.siteHost, config.domain] });
  return { port: https.port, certificate, key };
}

/** Nginx as a component of the stack: config rendered from the stack's config, kept running. */
export class NginxComponent {
  private keeper: KeepAlive | null = null;
  private version: string | null = null;
  /** Loopback port of stub_status, chosen once so that reloads keep it. */
  statusPort: number | undefined;
  /** The machine's file limit, memory and CPUs, read once: worker_connections is sized from them. */
  private capacity: HostCapacity | null | undefined;
  /** App hosts out of the rotation while they are deployed (by name). */
  private drained = new Set<string>();

  constructor(
    private readonly host: Host,
    private readonly config: ResolvedConfig,
    private readonly paths: StatePaths,
    private readonly assetsDir: () => string,
    private readonly log: (line: string) => void,
  ) {}

  private async render(): Promise<() => string> {
    const { host, config, paths } = this;
    const modules = await detectNginxModules(host);
    const tempDir = join(paths.nginx.prefix, 'temp');
    await host.mkdir(tempDir, { mode: 0o755 });
    await writeErrorPages(host, paths.nginx.errorPages);
    this.statusPort ??= await freeLoopbackPort();
    const statusPort = this.statusPort;
    const tls = await tlsOptions(host, config, paths);
    const root = await host.isRoot();
    this.capacity ??= await readHostCapacity(host);
    const capacity = this.capacity;
    const issuer = config.https.acme ? acmeIssuerOf(config) : null;
    return () =>
      renderNginxConf({
        serverName: config.siteHost,
        apexName: config.domain,
        listen: { host: config.http.listen, port: config.http.port },
        upstream: appPeers(config, this.drained),
        ...(config.inventory.single
          ? {}
          : { proxyReadTimeoutSeconds: CLUSTER_READ_TIMEOUT_SECONDS, nextUpstreamOn503: false }),
        assetsDir: this.assetsDir(),
        uploadsCacheDir: join(tempDir, 'uploads-cache'),
        errorPagesDir: paths.nginx.errorPages,
        accessLog: paths.nginx.accessLog,
        errorLog: paths.nginx.errorLog,
        pidFile: paths.nginx.pid,
        tempDir,
        clientMaxBodyBytes: config.uploads.maxBytes + 64 * 1024,
        statusPort,
        ...(root ? { runAsUser: 'www-data' } : {}),
        ...(modules.brotliStaticModule ? { brotliStaticModule: modules.brotliStaticModule } : {}),
        ...(tls ? { tls } : {}),
        ...(config.https.acme ? { acmeWebroot: paths.tls.acme.webroot } : {}),
        ...(issuer ? { acmeIssuer: { host: issuer.address, port: config.http.port } } : {}),
        authRatePerMinute: config.http.authRatePerMinute,
        connectionsPerAddress: config.http.connectionsPerAddress,
        // Unreadable (not Linux, a recording host): the renderer's fixed default.
        ...(capacity ? { workerConnections: sizeWorkerConnections(capacity) } : {}),
        ...(config.http.microCache
          ? { microCacheDir: join(tempDir, 'micro-cache'), microCacheSeconds: config.http.microCacheSeconds }
          : {}),
        // Across hosts, the app hosts refresh this lb's cached pages after their writes.
        ...(config.http.microCache && !config.inventory.single
          ? { cacheRefreshFrom: appPeers(config, new Set()).map((peer) => peer.host) }
          : {}),
      });
  }

  async start(): Promise<void> {
    // No master runs yet, so this only writes the checked config.
    await this.reload();
    // nginx would create its logs 0644; made here 0640 and the supervisor's (root's under root).
    // Rotation copies and truncates them in place (logrotate/conf.ts), so they stay that way.
    for (const log of [this.paths.nginx.accessLog, this.paths.nginx.errorLog]) {
      await this.host.append(log, '', { mode: 0o640 });
      await this.host.chmod(log, 0o640);
    }
    const { stdout, stderr } = await this.host.run(nginxCommands.version());
    this.version = /nginx\/(\S+)/.exec(stderr + stdout)?.[1] ?? null;
    this.keeper = new KeepAlive(
      'nginx',
      async () => {
        // A SIGKILLed master leaves its workers holding the port: stop exactly those before a restart.
        if ((this.keeper?.restarts ?? 0) > 0)
          await stopProcesses(
            this.host,
            await listenHolders(this.host, this.config.http.port, 'nginx', this.paths.nginx.errorLog),
            'SIGQUIT',
            5_000,
          );
        const proc = await startNginx(this.host, {
          conf: this.paths.nginx.config,
          prefix: this.paths.nginx.prefix,
          pidFile: this.paths.nginx.pid,
          errorLog: this.paths.nginx.errorLog,
          listen: {
            host: this.config.http.listen === '0.0.0.0' ? '127.0.0.1' : this.config.http.listen,
            port: this.config.http.port,
          },
        });
        return { pid: proc.pid, child: proc.child, stop: () => proc.stop() };
      },
      this.log,
    );
    await this.keeper.start();
  }

  /**
   * Takes these app hosts out of the rotation and puts every other one back, with a graceful
   * reload: requests in flight on a drained host finish, new ones go to the others.
   */
  async drain(hosts: readonly string[]): Promise<string[]> {
    const known = new Set((this.config.here?.upstreams ?? []).map((u) => u.host));
    const unknown = hosts.filter((name) => !known.has(name));
    if (unknown.length > 0)
      throw new WebstackError('DRAIN_UNKNOWN_HOST', unknown.join(', '), [...known].join(', '));
    // The last app host in the rotation stays there: draining it would take the site down.
    if (known.size > 0 && [...known].every((name) => hosts.includes(name)))
      throw new WebstackError('DRAIN_LAST_HOST', hosts.join(', '));
    const before = this.drained;
    this.drained = new Set(hosts);
    try {
      await this.reload();
    } catch (error) {
      this.drained = before;
      throw error;
    }
    return [...this.drained];
  }

  /**
   * Re-renders the config and applies it with a graceful reload (restored if nginx rejects it);
   * with force, even when the text is the same (a renewed certificate at the same path).
   */
  async reload(options: { force?: boolean } = {}): Promise<void> {
    const render = await this.render();
    if (this.config.https.acme) await this.host.mkdir(this.paths.tls.acme.webroot, { mode: 0o755 });
    await applyNginxConfig(this.host, {
      confPath: this.paths.nginx.config,
      prefix: this.paths.nginx.prefix,
      render,
      pidFile: this.paths.nginx.pid,
      errorLog: this.paths.nginx.errorLog,
      ...(options.force ? { force: true } : {}),
    });
  }

  async stop(): Promise<void> {
    await this.keeper?.stop();
  }

  async status(): Promise<ComponentStatus> {
    const health = await nginxHealth(this.host, {
      pidFile: this.paths.nginx.pid,
      ...(this.statusPort === undefined ? {} : { statusPort: this.statusPort }),
    });
    return {
      name: 'nginx',
      state: this.keeper?.state ?? 'stopped',
      pid: health.pid,
      healthy: health.healthy && this.keeper?.state === 'running',
      version: this.version,
      uptimeSeconds: this.keeper?.startedAt ? (Date.now() - this.keeper.startedAt) / 1000 : null,
      restarts: this.keeper?.restarts ?? 0,
      detail: this.keeper?.lastError ?? health.detail,
    };
  }
}

/** Across lbs, the lb that issues the certificate when it is another one than this (ours forwards the challenges there). */
export function acmeIssuerOf(config: ResolvedConfig): { host: string; address: string } | null {
  const certificates = config.here?.certificates;
  if (!certificates || config.inventory.single) return null;
  return certificates.issuer.host === config.here?.host.name ? null : certificates.issuer;
}
