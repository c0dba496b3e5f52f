import { type Kysely, type Migration, type MigrationResultSet, Migrator, sql } from 'kysely';
import { isContractMigration, MIGRATION_LOCK_TABLE, MIGRATION_TABLE } from '../../contract.js';
import { renewingLease } from './migration-lock.js';
import * as createUsers from './migrations/2026_11_29_1300_create_users.js';
import * as createSessions from './migrations/2026_11_29_1301_create_sessions.js';
import * as createArticles from './migrations/2026_11_29_1310_create_articles.js';
import * as createProducts from './migrations/2026_11_29_1311_create_products.js';
import * as createLoginFailures from './migrations/2026_11_29_1400_create_login_failures.js';
import * as addArticlesExcerpt from './migrations/2026_11_29_1500_add_articles_excerpt.js';
import * as createLoginThrottle from './migrations/2026_12_01_2100_create_login_throttle.js';
import * as createUploads from './migrations/2026_12_01_2300_create_uploads.js';

/**
 * Every migration, listed explicitly (not read from a folder) so that a bundled or compiled
 * release carries exactly these. Names sort by time: YYYY_MM_DD_HHMM_verb_noun.
 * Other modules add their lines here.
 */
export const migrations: Record<string, Migration> = {
  '2026_11_29_1300_create_users': createUsers,
  '2026_11_29_1301_create_sessions': createSessions,
  '2026_11_29_1310_create_articles': createArticles,
  '2026_11_29_1311_create_products': createProducts,
  '2026_11_29_1400_create_login_failures': createLoginFailures,
  '2026_11_29_1500_add_articles_excerpt': addArticlesExcerpt,
  '2026_12_01_2100_create_login_throttle': createLoginThrottle,
  '2026_12_01_2300_create_uploads': createUploads,
};

/** A migration failed; the schema stays at the last migration that succeeded. */
export class MigrationError extends Error {
  override name = 'MigrationError';
  constructor(
    readonly migration: string,
    override readonly cause: unknown,
  ) {
    super(`migration ${migration} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

// Migrations see the database untyped: they describe the schema at their own point in history.
// biome-ignore lint/suspicious/noExplicitAny: any Kysely<DB> may be migrated, whatever its table types.
type AnyKysely = Kysely<any>;

export function createMigrator(db: AnyKysely, list: Record<string, Migration> = migrations): Migrator {
  // History lives in the contract's tables (the stack reads MIGRATION_TABLE before a rollback).
  // The lock is a leased row (migration-lock.ts, the dialect's adapter); each migration renews it.
  const leased = Object.fromEntries(Object.entries(list).map(([name, m]) => [name, renewingLease(m)]));
  return new Migrator({
    db,
    provider: { getMigrations: async () => leased },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
}

/**
 * Brings the schema up to date; returns the names applied (empty when already current).
 *
 * A release older than the schema (a host that restarts before a rolling deploy reached it, or
 * after a rollback) finds migrations it does not know. That is fine when it knows no migration
 * the database lacks and none of the newer ones is a contract migration: expand-only changes
 * keep an older release working. Anything else stops before a change, with the reason.
 */
export async function migrateToLatest(
  db: AnyKysely,
  list: Record<string, Migration> = migrations,
): Promise<string[]> {
  const newer = await newerMigrations(db, list);
  if (newer.length > 0) {
    const applied = new Set(await appliedMigrations(db));
    const missing = Object.keys(list).filter((name) => !applied.has(name));
    if (missing.length > 0)
      throw new MigrationError(
        missing[0] ?? '',
        new Error(
          `the database holds migrations this release lacks (${newer.join(', ')}) and lacks ones it has: deploy a release that has both`,
        ),
      );
    const contract = newer.filter(isContractMigration);
    if (contract.length > 0)
      throw new MigrationError(
        contract[0] ?? '',
        new Error(
          `this release is older than the schema, and ${contract.join(', ')} removed what it reads: deploy the newer release`,
        ),
      );
    return [];
  }
  const { error, results } = await createMigrator(db, list).migrateToLatest();
  return checkResults(error, results);
}

/** Migrations the database records that this release does not have: a newer release applied them. */
export async function newerMigrations(
  db: AnyKysely,
  list: Record<string, Migration> = migrations,
): Promise<string[]> {
  return (await appliedMigrations(db)).filter((name) => !Object.hasOwn(list, name));
}

async function appliedMigrations(db: AnyKysely): Promise<string[]> {
  const table = await sql<{ n: number }>`
    select count(*) as n from information_schema.tables
    where table_schema = database() and table_name = ${MIGRATION_TABLE}`.execute(db);
  if (Number(table.rows[0]?.n ?? 0) === 0) return [];
  const rows = await sql<{
    name: string;
  }>`select name from ${sql.table(MIGRATION_TABLE)} order by name`.execute(db);
  return rows.rows.map((row) => row.name);
}

function checkResults(error: unknown, results: MigrationResultSet['results']): string[] {
  const failed = results?.find((r) => r.status === 'Error');
  if (failed) throw new MigrationError(failed.migrationName, error);
  if (error) throw new MigrationError('(before any migration ran)', error);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
