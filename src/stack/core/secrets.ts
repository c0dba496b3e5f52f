import { randomBytes } from 'node:crypto';
import type { Host } from '../host/host.js';

/** Generated on first run, kept 0600 in the state directory, never printed. */
export interface StackSecrets {
  /** MariaDB account of the running site: DML on the site's database only. */
  appDbPassword: string;
  /** MariaDB account that runs migrations: DDL on the site's database only. */
  migratorDbPassword: string;
  /** Signs session cookies. */
  sessionSecret: string;
  /** MariaDB account a Galera donor's mariabackup runs as (RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR). */
  sstDbPassword: string;
}

const KEYS = ['appDbPassword', 'migratorDbPassword', 'sessionSecret', 'sstDbPassword'] as const;

function generate(): string {
  return randomBytes(32).toString('base64url');
}

/** Reads the secrets file, creating it (and any missing key) on first use. */
export async function ensureSecrets(host: Host, file: string): Promise<StackSecrets> {
  const text = await host.readText(file);
  const existing = (text ? JSON.parse(text) : {}) as Partial<StackSecrets>;
  const secrets = { ...existing } as StackSecrets;
  let changed = text === null;
  for (const key of KEYS) {
    if (typeof secrets[key] !== 'string' || secrets[key].length < 32) {
      secrets[key] = generate();
      changed = true;
    }
  }
  if (changed) await host.writeAtomic(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  else if (((await host.stat(file))?.mode ?? 0) & 0o077)
    await host.writeAtomic(file, text ?? '', { mode: 0o600 });
  return secrets;
}

/**
 * The metrics endpoint's bearer token, in a file of its own (just the token, 0600) so that Prometheus
 * can read it as its `credentials_file`. Made on first use.
 */
export async function ensureMetricsToken(host: Host, file: string): Promise<string> {
  const existing = (await host.readText(file))?.trim() ?? '';
  if (existing.length >= 32) {
    if (((await host.stat(file))?.mode ?? 0) & 0o077) await host.chmod(file, 0o600);
    return existing;
  }
  const token = generate();
  await host.writeAtomic(file, `${token}\n`, { mode: 0o600 });
  return token;
}
