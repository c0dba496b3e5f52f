/**
 * The thin contract between the two halves of webstack: the stack (which runs and configures
 * servers) and the site (the foobar.com application it runs). Neither half imports the other;
 * both import this file. Everything the stack needs to know about a release of the site, and
 * everything the site needs to know about how it is run, is named here.
 */

/** Liveness: the process is up and its event loop answers. Never touches the database. */
export const HEALTH_PATH = '/healthz';
/** Readiness: the process can serve pages (the database answers). */
export const READY_PATH = '/readyz';

/** Header carrying the request id that Nginx generates; the site logs it and echoes it. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * A release is a directory holding a built copy of the site. These paths are relative to it.
 * SITE_ENTRY exports `start(settings: SiteSettings): Promise<SiteHandle>`;
 * SITE_CLI is a command line (`node SITE_CLI migrate|seed|user-add ...`) that reads the
 * same settings from the environment.
 */
export const SITE_ENTRY = 'dist/site/entry.js';
export const SITE_CLI = 'dist/site/cli.js';
/** Built assets with content-hashed names, served by Nginx under ASSETS_URL_PREFIX. */
export const SITE_ASSETS_DIR = 'dist/public/assets';
export const ASSETS_URL_PREFIX = '/assets/';
export const UPLOADS_URL_PREFIX = '/uploads/';

/**
 * The site's schema history. A release's compiled migrations are the `.js` files of
 * SITE_MIGRATIONS_DIR: their names without the extension are its migration list, in order. The
 * database records each applied one as a row of MIGRATION_TABLE (column `name`), guarded by
 * MIGRATION_LOCK_TABLE. The stack reads both to tell whether a rollback is safe.
 */
export const SITE_MIGRATIONS_DIR = 'dist/site/database/migrations';
export const MIGRATION_TABLE = 'kysely_migration';
export const MIGRATION_LOCK_TABLE = 'kysely_migration_lock';

/**
 * A contract migration removes or renames what an older release still reads (drop a column,
 * a table...). Convention: its name's verb is `contract` or `drop`, e.g.
 * 2026_12_01_0900_drop_users_legacy_name. Everything else only expands the schema, so an older
 * release still runs on it (after a rollback, or on a host not yet switched).
 */
export function isContractMigration(name: string): boolean {
  return /^\d{4}_\d{2}_\d{2}_\d{4}_(contract|drop)_/.test(name);
}

/**
 * Prometheus metrics every worker exports and the stack reads (summed over workers by the
 * supervisor; the status page and doctor turn them into rates and latency quantiles).
 */
export const SITE_METRICS = {
  /** Counter of answered requests, labels method, route, status. */
  requests: 'http_requests_total',
  /** Histogram of answer times in seconds, the same labels. */
  duration: 'http_request_duration_seconds',
} as const;

/** Environment variables through which the stack hands settings to the site. */
export const SITE_ENV = {
  /** mysql://user@host:port/database (no password in it); `?socket=/path` to connect over a unix socket. */
  databaseUrl: 'WEBSTACK_DATABASE_URL',
  /** Kept out of the URL so that it never lands in a log line that prints the URL. */
  databasePassword: 'WEBSTACK_DATABASE_PASSWORD',
  sessionSecret: 'WEBSTACK_SESSION_SECRET',
  uploadsDir: 'WEBSTACK_UPLOADS_DIR',
  uploadMaxBytes: 'WEBSTACK_UPLOAD_MAX_BYTES',
  /** The public origin, e.g. http://www.foobar.com — used for absolute links (feed, sitemap). */
  publicUrl: 'WEBSTACK_PUBLIC_URL',
  /** Pool size of each worker's database connection pool. */
  dbPoolSize: 'WEBSTACK_DB_POOL_SIZE',
  logLevel: 'WEBSTACK_LOG_LEVEL',
  /** Password POSTs a client address may make per minute, per worker (the site's login limiter). */
  authRatePerMinute: 'WEBSTACK_AUTH_RATE_PER_MINUTE',
  /** The release id, reported by /healthz and `webstack status`. */
  release: 'WEBSTACK_RELEASE',
  /** Address the site listens on: a port number, or host:port. */
  listen: 'WEBSTACK_LISTEN',
  /** PEM of the CA that signed the database server's certificate: set, the site connects over TLS. */
  databaseCa: 'WEBSTACK_DATABASE_CA',
} as const;

/** What the stack passes to a release's `start()`. */
export interface SiteSettings {
  databaseUrl: string;
  databasePassword: string;
  sessionSecret: string;
  uploadsDir: string;
  uploadMaxBytes: number;
  publicUrl: string;
  dbPoolSize: number;
  logLevel: string;
  /** The site's login/registration limiter: requests per minute per address, per worker (default 10). */
  authRatePerMinute?: number;
  /**
   * Seconds a request's headers and whole body may take to arrive; past it the site answers 408
   * and closes the connection (default 30). Nginx streams bodies to the site, so this is the
   * stack's deadline for slow bodies.
   */
  requestTimeoutSeconds?: number;
  release: string;
  /** Port to listen on (shared by every worker under node:cluster), and the host to bind. */
  port: number;
  host: string;
  /** Absolute path of the JSON StatusSnapshot the supervisor rewrites (the admin status page reads it). */
  statusFile?: string;
  /**
   * PEM text of the CA that signed the database server's certificate (the cluster's own CA). When
   * set, TCP connections to the database use TLS and accept only a certificate that CA signed.
   */
  databaseCa?: string;
  /**
   * The addresses whose X-Forwarded-For the site believes (default: Nginx on the same host). Across
   * hosts, the lb hosts: otherwise every client would look like the lb to the per-address limits.
   */
  trustedProxies?: string[];
  /**
   * The Nginx micro-caches a write refreshes, as origins (`http://127.0.0.1:80`, or each lb's
   * `https://ADDRESS:443` across hosts); none when the micro-cache is off. The site sends each a
   * GET with `X-Webstack-Refresh: 1` for every page the write changed.
   */
  cacheRefreshOrigins?: string[];
}

/** The supervisor's picture of the stack, written as JSON to SiteSettings.statusFile. */
export interface StatusSnapshot {
  generatedAt: string;
  intervalSeconds: number;
  release: string | null;
  components: {
    name: string;
    state: string;
    healthy: boolean;
    version: string | null;
    uptimeSeconds: number | null;
    restarts: number;
    detail: string | null;
  }[];
  /** One point per interval, oldest first, at most an hour of them. Rates are per second. */
  points: StatusPoint[];
}

export interface StatusPoint {
  /** Unix time in ms. */
  t: number;
  requestsPerSecond: number;
  /** Latency quantiles of the interval in ms (null: no request in it). */
  p50Ms: number | null;
  p99Ms: number | null;
  /** Share of 5xx answers among the interval's requests, 0..1. */
  errorRate: number;
  dbQueriesPerSecond: number;
  /** Resident memory of the workers together. */
  memoryBytes: number;
  /** Crash restarts of the application workers since start (a counter). */
  workerRestarts: number;
  /** MariaDB Threads_connected / max_connections, 0..1. */
  dbConnectionUse: number;
}

/**
 * What a started site gives back. start() must NOT listen yet: under node:cluster a worker joins
 * the shared port's round-robin the moment it listens, so the worker first checks readiness with
 * probe() and only then calls listen(). A release that never gets ready never takes a request.
 */
export interface SiteHandle {
  /** Starts accepting connections on settings.host/port. */
  listen(): Promise<void>;
  /**
   * Stop accepting, finish in-flight requests (answering each with `Connection: close`), close idle
   * keep-alive connections after a short grace (closing them at once races a request a proxy is
   * sending on them), then close the database pool.
   */
  close(): Promise<void>;
  /**
   * Answers an in-process request (no socket) and returns its status code. Under node:cluster
   * every worker shares one port, so the supervisor cannot reach one worker through it: a worker
   * reports its own health with probe(HEALTH_PATH) / probe(READY_PATH).
   */
  probe(path: string): Promise<number>;
}

export type SiteStart = (settings: SiteSettings) => Promise<SiteHandle>;
