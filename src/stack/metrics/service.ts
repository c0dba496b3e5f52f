import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StatusSnapshot } from '../../contract.js';
import { adminConnection } from '../components/mariadb/index.js';
import { nginxHealth } from '../components/nginx/health.js';
import type { ResolvedConfig } from '../core/config/load.js';
import type { StatePaths } from '../core/paths.js';
import { ensureMetricsToken } from '../core/secrets.js';
import type { Host } from '../host/host.js';
import type { Stack } from '../supervisor/stack.js';
import { Cached } from './cache.js';
import { mariadbStatus, renderStackMetrics, workerMetrics } from './collect.js';
import { History, rawSample } from './history.js';
import { parsePrometheusText } from './parse.js';

export const METRICS_PATH = '/metrics';
/** Scrapes within this long of a collection get its result: each one asks every worker and MariaDB. */
export const SCRAPE_CACHE_MS = 1000;

/**
 * The supervisor's metrics: on demand, everything in the Prometheus text format (workers summed
 * across the cluster, plus components, Nginx and MariaDB); every interval, a sample into an hour's
 * ring, written as a StatusSnapshot for the site's admin page and for doctor.
 */
export class MetricsService {
  private readonly history: History;
  private timer: NodeJS.Timeout | null = null;
  private server: Server | null = null;
  private readonly admin;
  private readonly scrapes = new Cached(() => this.render(), SCRAPE_CACHE_MS);
  private token: Buffer | null = null;

  constructor(
    private readonly host: Host,
    private readonly config: ResolvedConfig,
    private readonly paths: StatePaths,
    private readonly stack: Stack,
    private readonly log: (line: string) => void,
  ) {
    this.history = new History(Math.ceil(3600 / config.metrics.sampleSeconds));
    this.admin = adminConnection(config, paths.mariadb.socket);
  }

  /** Every metric, in the Prometheus text format. */
  async render(): Promise<string> {
    const status = await this.stack.status();
    const statusPort = this.stack.nginx?.statusPort;
    const [workers, nginx, mariadb] = await Promise.all([
      workerMetrics(),
      statusPort === undefined
        ? Promise.resolve(undefined)
        : nginxHealth(this.host, { pidFile: this.paths.nginx.pid, statusPort }).then((h) => h.connections),
      mariadbStatus(this.admin),
    ]);
    const own = await renderStackMetrics({ components: status.components, nginx, mariadb });
    return `${workers.trimEnd()}\n${own}`.trimStart();
  }

  /**
   * Serves METRICS_PATH on loopback only (never through the public server), to the holders of the
   * bearer token in paths.metricsToken (any local account can reach a loopback port), and starts sampling.
   */
  async start(): Promise<void> {
    this.token = Buffer.from(await ensureMetricsToken(this.host, this.paths.metricsToken));
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || req.url !== METRICS_PATH) return void res.writeHead(404).end();
      if (!this.authorized(req))
        return void res.writeHead(401, { 'www-authenticate': 'Bearer realm="webstack metrics"' }).end();
      this.scrapes.get().then(
        (text) =>
          res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text),
        (error: Error) => res.writeHead(500).end(`${error.message}\n`),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.metrics.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    await this.host.writeAtomic(this.paths.metricsUrl, `${this.url()}\n`, { mode: 0o644 });
    this.log(`metrics at ${this.url()}`);
    const tick = () => void this.sample().catch((error: Error) => this.log(`metrics: ${error.message}`));
    tick();
    this.timer = setInterval(tick, this.config.metrics.sampleSeconds * 1000);
  }

  private authorized(req: IncomingMessage): boolean {
    const given = Buffer.from(/^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
    return this.token !== null && given.length === this.token.length && timingSafeEqual(given, this.token);
  }

  url(): string {
    const address = this.server?.address() as AddressInfo | null;
    return `http://127.0.0.1:${address?.port ?? this.config.metrics.port}${METRICS_PATH}`;
  }

  private async sample(): Promise<void> {
    const samples = parsePrometheusText(await this.render());
    this.history.add(rawSample(Date.now(), samples));
    const status = await this.stack.status();
    const snapshot: StatusSnapshot = {
      generatedAt: new Date().toISOString(),
      intervalSeconds: this.config.metrics.sampleSeconds,
      release: status.release,
      components: status.components.map((c) => ({
        name: c.name,
        state: c.state,
        healthy: c.healthy,
        version: c.version,
        uptimeSeconds: c.uptimeSeconds,
        restarts: c.restarts,
        detail: c.detail,
      })),
      points: this.history.points,
    };
    // Readable by the site's workers, which may run as another account.
    await this.host.writeAtomic(this.paths.statusSnapshot, JSON.stringify(snapshot), { mode: 0o644 });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.server?.close();
  }
}
