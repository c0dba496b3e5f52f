import { X509Certificate } from 'node:crypto';
import Type, { type Static } from 'typebox';
import Value from 'typebox/value';
import { SITE_ENV, type SiteSettings } from '../contract.js';

/** A setting read from the environment is missing or invalid; the message names the variable. */
export class SettingsError extends Error {
  override name = 'SettingsError';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const EnvSchema = Type.Object({
  databaseUrl: Type.String({ pattern: '^mysql://' }),
  databasePassword: Type.String(),
  sessionSecret: Type.String({ minLength: 32 }),
  uploadsDir: Type.String({ minLength: 1 }),
  uploadMaxBytes: Type.Integer({ minimum: 1 }),
  publicUrl: Type.String({ pattern: '^https?://' }),
  dbPoolSize: Type.Integer({ minimum: 1, maximum: 1000 }),
  logLevel: Type.Union(LOG_LEVELS.map((l) => Type.Literal(l))),
  authRatePerMinute: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  release: Type.String({ minLength: 1 }),
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  host: Type.String({ minLength: 1 }),
  databaseCa: Type.Optional(Type.String({ pattern: '^-----BEGIN CERTIFICATE-----' })),
});
type EnvSettings = Static<typeof EnvSchema>;

const DEFAULTS = {
  uploadsDir: 'uploads',
  uploadMaxBytes: String(5 * 1024 * 1024),
  publicUrl: 'http://www.foobar.com',
  dbPoolSize: '10',
  logLevel: 'info',
  authRatePerMinute: '10',
  release: 'dev',
  listen: '127.0.0.1:3000',
} as const;

/** Splits WEBSTACK_LISTEN: "3000" or "127.0.0.1:3000" or "[::1]:3000". */
export function parseListen(value: string): { host: string; port: number } {
  const match = /^(?:\[?([^\]]*?)\]?:)?(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[2]);
  if (!match || !Number.isInteger(port) || port > 65535) {
    throw new SettingsError(
      `${SITE_ENV.listen}="${value}" is not a port or host:port (e.g. 3000 or 127.0.0.1:3000)`,
    );
  }
  return { host: match[1] || '127.0.0.1', port };
}

/** The database CA must be a certificate: a broken one would only show as failed connections later. */
function checkCertificate(pem: string): void {
  try {
    new X509Certificate(pem);
  } catch (error) {
    throw new SettingsError(`${SITE_ENV.databaseCa} is not a PEM certificate: ${(error as Error).message}`);
  }
}

/** Reads the site's settings from the environment names in SITE_ENV, with defaults for local use. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): SiteSettings {
  const get = (name: keyof typeof SITE_ENV, fallback?: string): string | undefined => {
    const value = env[SITE_ENV[name]];
    return value === undefined || value === '' ? fallback : value;
  };
  const required = (name: keyof typeof SITE_ENV): string => {
    const value = get(name);
    if (value === undefined) throw new SettingsError(`${SITE_ENV[name]} is not set`);
    return value;
  };
  const { host, port } = parseListen(get('listen', DEFAULTS.listen) ?? DEFAULTS.listen);
  const raw = {
    databaseUrl: required('databaseUrl'),
    databasePassword: get('databasePassword', '') ?? '',
    sessionSecret: required('sessionSecret'),
    uploadsDir: get('uploadsDir', DEFAULTS.uploadsDir),
    uploadMaxBytes: Number(get('uploadMaxBytes', DEFAULTS.uploadMaxBytes)),
    publicUrl: get('publicUrl', DEFAULTS.publicUrl),
    dbPoolSize: Number(get('dbPoolSize', DEFAULTS.dbPoolSize)),
    logLevel: get('logLevel', DEFAULTS.logLevel),
    authRatePerMinute: Number(get('authRatePerMinute', DEFAULTS.authRatePerMinute)),
    release: get('release', DEFAULTS.release),
    port,
    host,
    ...(get('databaseCa') === undefined ? {} : { databaseCa: get('databaseCa') }),
  };
  const first = [...Value.Errors(EnvSchema, raw)][0];
  if (first) {
    const key = first.instancePath.slice(1) as keyof EnvSettings;
    const envName = key in SITE_ENV ? SITE_ENV[key as keyof typeof SITE_ENV] : SITE_ENV.listen;
    const shown =
      key === 'databasePassword' || key === 'sessionSecret' ? '(hidden)' : JSON.stringify(raw[key]);
    throw new SettingsError(`${envName} has the value ${shown}: ${first.message}`);
  }
  if (raw.databaseCa !== undefined) checkCertificate(raw.databaseCa);
  return raw as EnvSettings;
}
