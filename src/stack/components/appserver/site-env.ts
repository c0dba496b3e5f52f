import { SITE_ENV, type SiteSettings } from '../../../contract.js';
import type { ResolvedConfig } from '../../core/config/load.js';
import { WebstackError } from '../../core/errors.js';
import type { StatePaths } from '../../core/paths.js';
import type { StackSecrets } from '../../core/secrets.js';
import type { Host } from '../../host/host.js';

export const APP_DB_USER = 'webstack_app';
export const MIGRATOR_DB_USER = 'webstack_migrator';

export type DbRole = 'app' | 'migrator';

/** Where the site's database is: the managed server's socket, or the external server's address. */
export function databaseAddress(
  config: ResolvedConfig,
  paths: StatePaths,
): { host: string; port: number; socket: string | null } {
  if (config.database.mode === 'external' && config.database.url) {
    const url = new URL(config.database.url);
    return { host: url.hostname, port: Number(url.port || 3306), socket: null };
  }
  const host = config.database.host ?? '127.0.0.1';
  // On the database's own machine the unix socket is faster than TCP (and its accounts are
  // granted to localhost there); another host reaches it over TCP.
  // An app host of a Galera cluster goes through its own HAProxy on loopback, never a socket.
  const throughHaproxy = config.here?.components.includes('haproxy') === true;
  const local =
    !throughHaproxy &&
    (host === '127.0.0.1' || host === 'localhost' || config.here?.components.includes('mariadb') === true);
  return { host, port: config.database.port, socket: local ? paths.mariadb.socket : null };
}

export function databaseUrl(config: ResolvedConfig, paths: StatePaths, role: DbRole): string {
  const { host, port, socket } = databaseAddress(config, paths);
  const user = role === 'app' ? APP_DB_USER : MIGRATOR_DB_USER;
  const url = new URL(`mysql://${host}:${port}/${config.database.name}`);
  url.username = user;
  if (socket) url.searchParams.set('socket', socket);
  return url.toString();
}

export function publicUrl(config: ResolvedConfig): string {
  if (config.https.enabled) {
    const port = config.https.port === 443 ? '' : `:${config.https.port}`;
    return `https://${config.siteHost}${port}/`;
  }
  return config.http.port === 80
    ? `http://${config.siteHost}/`
    : `http://${config.siteHost}:${config.http.port}/`;
}

/**
 * What the site trusts for its database connections: across hosts, the cluster CA's certificate
 * that `webstack up` put on every host (the database is reached over TLS); on one server, nothing.
 */
export async function databaseCa(
  host: Host,
  config: ResolvedConfig,
  paths: StatePaths,
): Promise<string | undefined> {
  if (config.inventory.single) return undefined;
  const pem = await host.readText(paths.tls.caCertificate);
  if (pem === null) throw new WebstackError('CLUSTER_CA_MISSING', paths.tls.caCertificate);
  return pem;
}

/**
 * The micro-caches a write refreshes (SiteSettings.cacheRefreshOrigins): this server's Nginx over
 * loopback, or across hosts each lb this app host serves (the addresses it trusts as proxies),
 * through the scheme and port visitors use, since the cache key holds the scheme.
 */
export function cacheRefreshOrigins(config: ResolvedConfig): string[] {
  if (!config.http.microCache) return [];
  const [scheme, port] = config.https.enabled ? ['https', config.https.port] : ['http', config.http.port];
  const addresses = config.inventory.single
    ? [config.http.listen === '0.0.0.0' ? '127.0.0.1' : config.http.listen]
    : (config.here?.clients.app.map((client) => client.address) ?? []);
  return addresses.map((address) => `${scheme}://${address}:${port}`);
}

/** The settings a release's start() receives in each worker. */
export function siteSettings(
  config: ResolvedConfig,
  paths: StatePaths,
  secrets: StackSecrets,
  release: string,
  ca?: string,
): SiteSettings {
  return {
    ...(ca === undefined ? {} : { databaseCa: ca }),
    ...(config.inventory.single
      ? {}
      : { trustedProxies: config.here?.clients.app.map((client) => client.address) ?? [] }),
    cacheRefreshOrigins: cacheRefreshOrigins(config),
    databaseUrl: databaseUrl(config, paths, 'app'),
    databasePassword: secrets.appDbPassword,
    sessionSecret: secrets.sessionSecret,
    uploadsDir: paths.uploads,
    uploadMaxBytes: config.uploads.maxBytes,
    publicUrl: publicUrl(config).replace(/\/$/, ''),
    dbPoolSize: config.database.poolSize,
    logLevel: 'info',
    authRatePerMinute: config.app.authRatePerMinute,
    requestTimeoutSeconds: config.http.requestTimeoutSeconds,
    release,
    port: config.app.port,
    host: config.app.host,
    statusFile: paths.statusSnapshot,
  };
}

/** The same settings as environment variables, for the site's command line (migrate, seed, user-add). */
export function siteEnv(
  config: ResolvedConfig,
  paths: StatePaths,
  secrets: StackSecrets,
  role: DbRole,
  release: string,
  ca?: string,
): NodeJS.ProcessEnv {
  const settings = siteSettings(config, paths, secrets, release);
  return {
    ...(ca === undefined ? {} : { [SITE_ENV.databaseCa]: ca }),
    PATH: process.env.PATH,
    [SITE_ENV.databaseUrl]: databaseUrl(config, paths, role),
    [SITE_ENV.databasePassword]: role === 'app' ? secrets.appDbPassword : secrets.migratorDbPassword,
    [SITE_ENV.sessionSecret]: secrets.sessionSecret,
    [SITE_ENV.uploadsDir]: settings.uploadsDir,
    [SITE_ENV.uploadMaxBytes]: String(settings.uploadMaxBytes),
    [SITE_ENV.publicUrl]: settings.publicUrl,
    [SITE_ENV.dbPoolSize]: String(Math.min(settings.dbPoolSize, 4)),
    [SITE_ENV.logLevel]: 'warn',
    [SITE_ENV.authRatePerMinute]: String(config.app.authRatePerMinute),
    [SITE_ENV.release]: release,
    [SITE_ENV.listen]: `${settings.host}:${settings.port}`,
  };
}
