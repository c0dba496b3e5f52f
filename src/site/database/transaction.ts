import { setTimeout as sleep } from 'node:timers/promises';
import type { Transaction } from 'kysely';
import type { Database, Db } from './database.js';
import {
  DEFAULT_RETRY_BUDGET,
  decide,
  OutcomeUnknownError,
  type RetryBudget,
  retryDelay,
} from './failures.js';

/**
 * `db.transaction().execute(work)`, run again from its start when it failed before its COMMIT
 * was sent (a deadlock or certification conflict, a node not ready, a lost connection): nothing
 * of it committed, so a second run cannot double it. A COMMIT whose connection died may have
 * committed: that is OutcomeUnknownError (503), never a second run. `work` must only touch the
 * database (a retry runs it again) and, like any transaction, keep no state outside it.
 */
export async function transaction<T>(
  db: Db,
  work: (trx: Transaction<Database>) => Promise<T>,
  budget: RetryBudget = DEFAULT_RETRY_BUDGET,
): Promise<T> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      if (error instanceof OutcomeUnknownError || decide(error, 'transaction') !== 'retry') throw error;
      const pause = retryDelay(budget, attempt, Date.now() - started);
      if (pause === null) throw error;
      await sleep(pause);
    }
  }
}
