import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import Value from 'typebox/value';
import { type HostPlan, planCluster } from '../../cluster/plan.js';
import { WebstackError } from '../errors.js';
import { configError } from './config-error.js';
import { type Inventory, resolveInventory } from './inventory.js';
import { type Config, ConfigSchema } from './schema.js';

export const DEFAULT_CONFIG_FILE = 'webstack.config.json';

/** The configuration with every derived value filled in: what the rest of the stack reads. */
export interface ResolvedConfig extends Config {
  /** Absolute path of the file it came from, or null when every key is a default. */
  file: string | null;
  /** app.workers with 0 replaced by the number of cores. */
  workerCount: number;
  /** www.<domain> */
  siteHost: string;
  /** The hosts and their roles; one local host with every role when the config names none. */
  inventory: Inventory;
  /**
   * What this machine runs: the plan of the host named by `self`, or of the one local host. Null
   * on the operator's machine of a cluster, which runs nothing itself and drives the hosts.
   */
  here: HostPlan | null;
  /** The operator's state for a cluster (see the schema's `operatorDir`). */
  operatorDir: string;
}

/** Validates raw config data (already parsed JSON) and fills in defaults. */
export function resolveConfig(raw: unknown, file: string | null = null): ResolvedConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw configError('(root)', raw, 'must be a JSON object');
  }
  const withDefaults = Value.Default(ConfigSchema, structuredClone(raw));
  const first = [...Value.Errors(ConfigSchema, withDefaults)][0];
  if (first) {
    const key = keyOf(first.instancePath, first.params);
    throw configError(
      key,
      valueAt(withDefaults, key),
      describe(first.keyword, first.message, first.schemaPath, first.params),
    );
  }
  const config = withDefaults as Config;
  if (config.database.mode === 'external' && config.database.url === undefined) {
    throw configError('database.url', undefined, 'is required when database.mode is "external"');
  }
  const acme = config.https.acme;
  if (acme && !isDirectoryUrl(acme.directory))
    throw new WebstackError('ACME_DIRECTORY_INVALID', acme.directory);
  if (acme && config.https.certificate)
    throw configError(
      'https.certificate',
      config.https.certificate,
      'cannot be set together with https.acme',
    );
  // Certificates from ACME mean HTTPS: the site is served over it once the first one is issued.
  if (acme) config.https.enabled = true;
  const inventory = resolveInventory(config.hosts, config.vip);
  // The zone points at the floating address, unless the operator named another (a NAT's public one).
  if (inventory.vip !== null && !('serverIp' in raw)) config.serverIp = inventory.vip;
  // Nginx must answer on the floating address wherever it lands: it listens on every address.
  if (inventory.vip !== null && config.http.listen !== '0.0.0.0')
    throw configError(
      'http.listen',
      config.http.listen,
      `must be 0.0.0.0 with a floating address: Nginx answers on ${inventory.vip} only on the lb that holds it`,
    );
  if (config.self !== undefined && !inventory.hosts.some((host) => host.name === config.self)) {
    throw configError('self', config.self, 'names no host of "hosts"');
  }
  const here = inventory.single
    ? (planCluster(inventory)[0] ?? null)
    : (planCluster(inventory).find((plan) => plan.host.name === config.self) ?? null);
  const resolved: ResolvedConfig = {
    ...config,
    stateDir: resolve(config.stateDir),
    file,
    workerCount: config.app.workers === 0 ? availableParallelism() : config.app.workers,
    siteHost: `www.${config.domain}`,
    inventory,
    here,
    operatorDir: config.operatorDir ?? join(file ? dirname(file) : process.cwd(), '.webstack'),
  };
  return here && !inventory.single ? onHost(resolved, here) : resolved;
}

/**
 * The config as one host of a cluster sees it: its application server listens on its own
 * address, and the database is the db host's (which binds that address).
 */
function onHost(config: ResolvedConfig, here: HostPlan): ResolvedConfig {
  return {
    ...config,
    app: { ...config.app, host: here.host.roles.includes('app') ? here.host.address : config.app.host },
    database: { ...config.database, host: here.database?.address ?? here.host.address },
  };
}

/** Loads the config file (or the default one at the repository root, if present). */
export function loadConfig(path?: string): ResolvedConfig {
  const file = resolve(path ?? DEFAULT_CONFIG_FILE);
  if (!existsSync(file)) {
    if (path !== undefined) {
      throw new WebstackError('CONFIG_MISSING', file);
    }
    return resolveConfig({}, null);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new WebstackError('CONFIG_UNREADABLE', file, (error as Error).message, { cause: error });
  }
  return resolveConfig(raw, file);
}

/** An absolute http(s) URL: what an ACME directory is (RFC 8555 7.1.1). */
function isDirectoryUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '' && !/\s/.test(value)
    );
  } catch {
    return false;
  }
}

function keyOf(instancePath: string, params: unknown): string {
  const key = instancePath.replace(/^\//, '').replaceAll('/', '.');
  const { additionalProperties: extra, requiredProperties: required } = params as {
    additionalProperties?: unknown;
    requiredProperties?: unknown;
  };
  if (Array.isArray(extra) && extra.length > 0) return [key, String(extra[0])].filter(Boolean).join('.');
  if (Array.isArray(required) && required.length > 0)
    return [key, String(required[0])].filter(Boolean).join('.');
  return key || '(root)';
}

function valueAt(data: unknown, key: string): unknown {
  if (key === '(root)') return data;
  let node = data;
  for (const part of key.split('.')) {
    node = (node as Record<string, unknown> | undefined)?.[part];
  }
  return node;
}

function describe(keyword: string, message: string, schemaPath: string, params: unknown): string {
  if (keyword === 'additionalProperties' || schemaPath.endsWith('additionalProperties'))
    return 'is not a known key';
  if (keyword === 'required') return 'is required';
  const allowed = (params as { allowedValues?: unknown }).allowedValues;
  if (keyword === 'enum' && Array.isArray(allowed)) return `must be one of ${allowed.join(', ')}`;
  return message;
}
