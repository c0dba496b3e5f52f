import { join } from 'node:path';
import { isContractMigration, SITE_MIGRATIONS_DIR } from '../../../contract.js';
import type { Host } from '../../host/host.js';

/** Where a built release keeps its compiled migrations: their file names are its migration list. */
export const RELEASE_MIGRATIONS_DIR = SITE_MIGRATIONS_DIR;

/**
 * The rule for going back: a release can run on the current schema unless the database holds a
 * contract migration that release does not know. Returns those blocking migrations.
 */
export function rollbackBlockers(applied: readonly string[], known: readonly string[]): string[] {
  const knows = new Set(known);
  return applied.filter((name) => !knows.has(name) && isContractMigration(name));
}

export async function releaseMigrations(host: Host, releaseDir: string): Promise<string[]> {
  const dir = join(releaseDir, RELEASE_MIGRATIONS_DIR);
  return (await host.list(dir))
    .filter((name) => name.endsWith('.js'))
    .map((name) => name.slice(0, -3))
    .sort();
}

/**
 * Whether the database's history is exactly the release's list. Compared as sets: the database's
 * collation may order names differently from JavaScript's sort.
 */
export function sameMigrations(applied: readonly string[], known: readonly string[]): boolean {
  const knows = new Set(known);
  return new Set(applied).size === knows.size && applied.every((name) => knows.has(name));
}
