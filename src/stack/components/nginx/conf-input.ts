import { WebstackError } from '../../core/errors.js';
import type { Endpoint, NginxConfOptions } from './conf.js';

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
/** nginx has no escaping that is safe everywhere (alias even expands $variables): accept plain paths only. */
const PLAIN_PATH = /^\/[A-Za-z0-9._/+@-]*$/;

/** Refuses any value that could change the meaning of the rendered config. */
export function validateNginxConfOptions(o: NginxConfOptions): void {
  const upstreams = Array.isArray(o.upstream) ? o.upstream : [o.upstream as Endpoint];
  if (upstreams.length === 0) fail('upstream', upstreams, 'name at least one application server');
  for (const [key, value] of [
    ['serverName', o.serverName],
    ['apexName', o.apexName],
  ] as const) {
    if (!HOSTNAME.test(value)) fail(key, value, 'must be a lower-case host name');
  }
  for (const route of o.routes ?? []) {
    if (!/^\/[A-Za-z0-9._-]+\/$/.test(route.prefix))
      fail('routes.prefix', route.prefix, 'must be one path segment between slashes, e.g. /api/');
  }
  for (const [key, endpoint] of [
    ['listen', o.listen],
    ...upstreams.map((u) => ['upstream', u] as const),
    ...(o.routes ?? []).map((route) => ['routes.upstream', route.upstream] as const),
    ...(o.acmeIssuer ? [['acmeIssuer', o.acmeIssuer] as const] : []),
  ] as const) {
    if (!IPV4.test(endpoint.host) && !HOSTNAME.test(endpoint.host))
      fail(`${key}.host`, endpoint.host, 'must be an IPv4 address or host name');
    checkPort(`${key}.port`, endpoint.port);
    const maxFails = (endpoint as Endpoint).maxFails;
    if (maxFails !== undefined && (!Number.isInteger(maxFails) || maxFails < 0 || maxFails > 100))
      fail(`${key}.maxFails`, maxFails, 'must be a whole number 0-100');
  }
  for (const address of o.cacheRefreshFrom ?? []) {
    if (!IPV4.test(address)) fail('cacheRefreshFrom', address, 'must be IPv4 addresses');
  }
  const cacheSeconds = o.microCacheSeconds;
  if (
    cacheSeconds !== undefined &&
    (!Number.isInteger(cacheSeconds) || cacheSeconds < 1 || cacheSeconds > 3600)
  )
    fail('microCacheSeconds', cacheSeconds, 'must be a whole number 1-3600');
  if (o.statusPort !== undefined) checkPort('statusPort', o.statusPort);
  if (o.tls !== undefined) checkPort('tls.port', o.tls.port);
  const rate = o.authRatePerMinute;
  if (rate !== undefined && (!Number.isInteger(rate) || rate < 0 || rate > 100_000))
    fail('authRatePerMinute', rate, 'must be a whole number 0-100000');
  const paths = {
    assetsDir: o.assetsDir,
    uploadsCacheDir: o.uploadsCacheDir,
    errorPagesDir: o.errorPagesDir,
    accessLog: o.accessLog,
  };
  const more = {
    errorLog: o.errorLog,
    pidFile: o.pidFile,
    tempDir: o.tempDir,
    microCacheDir: o.microCacheDir ?? '/',
    brotliStaticModule: o.brotliStaticModule ?? '/',
    tlsCertificate: o.tls?.certificate ?? '/',
    tlsKey: o.tls?.key ?? '/',
    acmeWebroot: o.acmeWebroot ?? '/',
  };
  for (const [key, value] of Object.entries({ ...paths, ...more })) {
    if (!PLAIN_PATH.test(value))
      fail(key, value, 'must be an absolute path of letters, digits and . _ / + @ -');
  }
  if (!Number.isSafeInteger(o.clientMaxBodyBytes) || o.clientMaxBodyBytes < 1) {
    fail('clientMaxBodyBytes', o.clientMaxBodyBytes, 'must be a positive integer');
  }
  if (o.runAsUser !== undefined && !/^[a-z_][a-z0-9_-]{0,31}$/.test(o.runAsUser))
    fail('runAsUser', o.runAsUser, 'must be a user name');
}

function checkPort(key: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(key, port, 'must be a port number 1-65535');
}

function fail(key: string, value: unknown, allowed: string): never {
  throw new WebstackError('NGINX_CONF_INPUT', key, JSON.stringify(value), allowed, key);
}
