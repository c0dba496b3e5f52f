import { type Kysely, type Migration, type MigrationResultSet, Migrator } from 'kysely';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE } from '../../contract.js';
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
  return new Migrator({
    db,
    provider: { getMigrations: async () => list },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
}

/** Brings the schema up to date; returns the names applied (empty when already current). */
export async function migrateToLatest(
  db: AnyKysely,
  list: Record<string, Migration> = migrations,
): Promise<string[]> {
  const { error, results } = await createMigrator(db, list).migrateToLatest();
  return checkResults(error, results);
}

function checkResults(error: unknown, results: MigrationResultSet['results']): string[] {
  const failed = results?.find((r) => r.status === 'Error');
  if (failed) throw new MigrationError(failed.migrationName, error);
  if (error) throw new MigrationError('(before any migration ran)', error);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
