import { type Kysely, sql } from 'kysely';

/** Failed logins per account in the current hour: the lockout survives restarts and spans all workers. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('login_failures')
    .addColumn('user_id', sql`bigint unsigned`, (c) =>
      c.primaryKey().references('users.id').onDelete('cascade'),
    )
    .addColumn('failures', sql`int unsigned`, (c) => c.notNull().defaultTo(0))
    .addColumn('window_started_at', sql`datetime(3)`, (c) => c.notNull())
    .modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('login_failures').execute();
}
