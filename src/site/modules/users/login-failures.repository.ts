import { sql } from 'kysely';
import type { Db } from '../../database/database.js';

/** Failed logins of one account since `since` (0 when its window began earlier). */
export async function countRecentFailures(db: Db, userId: number, since: Date): Promise<number> {
  const row = await db
    .selectFrom('login_failures')
    .select('failures')
    .where('user_id', '=', userId)
    .where('window_started_at', '>', since)
    .executeTakeFirst();
  return row?.failures ?? 0;
}

/**
 * One more failure, atomically (concurrent workers cannot lose a count): a window older than
 * `windowStart` restarts at 1. MariaDB assigns left to right, so `failures` sees the old window.
 */
export async function recordFailure(db: Db, userId: number, now: Date, windowStart: Date): Promise<void> {
  await db
    .insertInto('login_failures')
    .values({ user_id: userId, failures: 1, window_started_at: now })
    .onDuplicateKeyUpdate({
      failures: sql`if(window_started_at <= ${windowStart}, 1, failures + 1)`,
      window_started_at: sql`if(window_started_at <= ${windowStart}, ${now}, window_started_at)`,
    })
    .execute();
}

export async function clearFailures(db: Db, userId: number): Promise<void> {
  await db.deleteFrom('login_failures').where('user_id', '=', userId).execute();
}
