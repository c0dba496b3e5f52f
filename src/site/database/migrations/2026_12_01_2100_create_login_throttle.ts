import { type Kysely, sql } from 'kysely';

/**
 * Failed logins per (account, address) pair: the throttle slows one address guessing one account
 * without locking the owner out from anywhere else. `account` is the normalized email as typed,
 * whether or not an account has it, so unknown and existing accounts are throttled alike. In the
 * database (not in a worker) so that every worker and every app host shares it. Expand step:
 * login_failures stays for older releases; a later contract migration drops it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('login_throttle')
    .addColumn('account', sql`varchar(254)`, (c) => c.notNull())
    .addColumn('address', sql`varchar(45)`, (c) => c.notNull())
    .addColumn('failures', sql`int unsigned`, (c) => c.notNull())
    .addColumn('last_failed_at', sql`datetime(3)`, (c) => c.notNull())
    .addPrimaryKeyConstraint('login_throttle_pk', ['account', 'address'])
    .modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`)
    .execute();
  // The scheduled purge deletes by age.
  await db.schema
    .createIndex('login_throttle_last_failed_at')
    .on('login_throttle')
    .column('last_failed_at')
    .execute();
  // The scheduled session purge deletes idle sessions by last_seen_at.
  await db.schema.createIndex('sessions_last_seen_at').on('sessions').column('last_seen_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('sessions_last_seen_at').on('sessions').execute();
  await db.schema.dropTable('login_throttle').execute();
}
