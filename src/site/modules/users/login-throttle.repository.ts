import { sql } from 'kysely';
import { type Db, idempotent } from '../../database/database.js';

export interface ThrottleState {
  failures: number;
  lastFailedAt: Date;
}

/** The pair's failures, if its last one is after `since` (older counts have lapsed). */
export async function findThrottle(
  db: Db,
  account: string,
  address: string,
  since: Date,
): Promise<ThrottleState | undefined> {
  const row = await db
    .selectFrom('login_throttle')
    .select(['failures', 'last_failed_at'])
    .where('account', '=', account)
    .where('address', '=', address)
    .where('last_failed_at', '>', since)
    .executeTakeFirst();
  return row ? { failures: row.failures, lastFailedAt: row.last_failed_at } : undefined;
}

/**
 * One more failure of the pair, atomically (concurrent workers cannot lose a count): a count whose
 * last failure is older than `lapsedBefore` restarts at 1. MariaDB assigns left to right, so
 * `failures` still sees the old `last_failed_at`.
 */
export async function recordFailure(
  db: Db,
  account: string,
  address: string,
  now: Date,
  lapsedBefore: Date,
): Promise<void> {
  await db
    .insertInto('login_throttle')
    .values({ account, address, failures: 1, last_failed_at: now })
    .onDuplicateKeyUpdate({
      failures: sql`if(last_failed_at <= ${lapsedBefore}, 1, failures + 1)`,
      last_failed_at: now,
    })
    .execute();
}

export async function clearFailures(db: Db, account: string, address: string): Promise<void> {
  await idempotent(db)
    .deleteFrom('login_throttle')
    .where('account', '=', account)
    .where('address', '=', address)
    .execute();
}

/** The scheduled purge: counts that have lapsed. */
export async function deleteLapsedFailures(db: Db, lapsedBefore: Date): Promise<number> {
  const result = await idempotent(db)
    .deleteFrom('login_throttle')
    .where('last_failed_at', '<=', lapsedBefore)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
