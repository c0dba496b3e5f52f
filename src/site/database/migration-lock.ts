import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Kysely, type Migration, type MigrationLockOptions, MysqlAdapter, sql } from 'kysely';
import { idempotentPlugin } from './retrying-driver.js';

/**
 * The migration lock as a row, not a session lock. Kysely's MysqlAdapter takes `GET_LOCK()`, which a
 * Galera cluster does not replicate (MariaDB's "Known Limitations": GET_LOCK, RELEASE_LOCK and LOCK
 * TABLES are unsupported): two migrators on two nodes would both get it. A committed row does hold
 * across nodes: taking the lock is one UPDATE of the lock row that Kysely keeps in its lock table,
 * and two of them at once on two nodes conflict at certification, so one is rolled back (1213; the
 * retrying driver runs it again and it then finds the row taken). On a single server the row lock
 * orders them the same way.
 *
 * `is_locked` (Kysely's integer column) holds 0 when free, or the lease's end in Unix seconds
 * (plus a random few, so each holder's value is its own). A lease, because a committed row outlives
 * a migrator that dies: once it ends, another may take the lock. The holder renews it before each
 * migration (`renewingLease`), so it only has to outlast the longest single migration.
 */
export const LEASE_SECONDS = 300;
/** A migrator waits this long for the lock: long enough for a dead holder's lease to run out. */
export const WAIT_MS = (LEASE_SECONDS + 120) * 1000;
const POLL_MS = 250;

// biome-ignore lint/suspicious/noExplicitAny: the migrator's Kysely, whatever its table types.
type AnyKysely = Kysely<any>;

/** The lock value each migration connection holds, by the Kysely the migrator hands its migrations. */
const held = new WeakMap<AnyKysely, { value: number; options: MigrationLockOptions }>();

/** Another migrator held the lock for the whole wait. */
export class MigrationLockBusyError extends Error {
  override name = 'MigrationLockBusyError';
  readonly code = 'MIGRATION_LOCK_BUSY';
}

function lockTable(options: MigrationLockOptions) {
  return options.lockTableSchema
    ? sql.table(`${options.lockTableSchema}.${options.lockTable}`)
    : sql.table(options.lockTable);
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const leaseValue = () => nowSeconds() + LEASE_SECONDS + randomInt(0, 100);

/**
 * Takes the lock for the migrator running on `db`: waits while another holds a live lease, up to
 * `waitMs`, then fails with MigrationLockBusyError (which names when that lease ends).
 */
export async function takeMigrationLock(
  db: AnyKysely,
  options: MigrationLockOptions,
  waitMs: number = WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const value = leaseValue();
    // Free (0) or a lease that ended. `or is_locked = value` makes running it twice harmless.
    const result = await sql`
      update ${lockTable(options)} set is_locked = ${value}
      where id = ${options.lockRowId} and (is_locked < ${nowSeconds()} or is_locked = ${value})`.execute(
      db.withPlugin(idempotentPlugin),
    );
    if (Number(result.numAffectedRows ?? 0) === 1) {
      held.set(db, { value, options });
      return;
    }
    if (Date.now() >= deadline) {
      const row = await sql<{ is_locked: number }>`
        select is_locked from ${lockTable(options)} where id = ${options.lockRowId}`.execute(db);
      const until = new Date(Number(row.rows[0]?.is_locked ?? 0) * 1000).toISOString();
      throw new MigrationLockBusyError(
        `another migrator holds the migration lock (its lease ends ${until}); wait for it to finish and run the migrations again`,
      );
    }
    await sleep(POLL_MS);
  }
}

export class RowLockMysqlAdapter extends MysqlAdapter {
  override async acquireMigrationLock(db: AnyKysely, options: MigrationLockOptions): Promise<void> {
    await takeMigrationLock(db, options);
  }

  override async releaseMigrationLock(db: AnyKysely, options: MigrationLockOptions): Promise<void> {
    const lease = held.get(db);
    if (!lease) return;
    held.delete(db);
    // Only our own lease: if it ran out and another migrator took the lock, that one keeps it.
    await sql`
      update ${lockTable(options)} set is_locked = 0
      where id = ${options.lockRowId} and is_locked = ${lease.value}`.execute(
      db.withPlugin(idempotentPlugin),
    );
  }
}

/** Extends the lease the migrator holds on `db` (before each migration), or fails if it was lost. */
async function renewLease(db: AnyKysely): Promise<void> {
  const lease = held.get(db);
  if (!lease) return;
  const value = leaseValue();
  const result = await sql`
    update ${lockTable(lease.options)} set is_locked = ${value}
    where id = ${lease.options.lockRowId} and is_locked = ${lease.value}`.execute(db);
  if (Number(result.numAffectedRows ?? 0) !== 1)
    throw new MigrationLockBusyError(
      'the migration lock was lost (its lease ran out and another migrator took it); run the migrations again',
    );
  lease.value = value;
}

/** `migration`, renewing the lock's lease before it runs (a lease only has to outlast one migration). */
export function renewingLease(migration: Migration): Migration {
  return {
    up: async (db) => {
      await renewLease(db);
      await migration.up(db);
    },
    ...(migration.down
      ? {
          down: async (db: AnyKysely) => {
            await renewLease(db);
            await migration.down?.(db);
          },
        }
      : {}),
  };
}
