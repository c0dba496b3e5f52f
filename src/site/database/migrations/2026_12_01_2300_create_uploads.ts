import { type Kysely, sql } from 'kysely';

/**
 * Uploaded files kept in the database, not on one app host's disk: replicated with it, in its
 * backups, and written in the same transaction as the product that names them. `name` is the
 * public `<32 hex>.<ext>` of `/uploads/<name>`. LONGBLOB, because the configured upload limit
 * may exceed MEDIUMBLOB's 16 MiB (the stack's my.cnf sizes max_allowed_packet from that limit);
 * it costs one length byte more per row than MEDIUMBLOB.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('uploads')
    .addColumn('id', sql`bigint unsigned`, (c) => c.autoIncrement().primaryKey())
    .addColumn('name', sql`varchar(64) character set ascii collate ascii_bin`, (c) => c.notNull())
    .addColumn('content_type', sql`varchar(100) character set ascii collate ascii_bin`, (c) => c.notNull())
    .addColumn('byte_length', sql`int unsigned`, (c) => c.notNull())
    .addColumn('sha256', sql`char(64) character set ascii collate ascii_bin`, (c) => c.notNull())
    .addColumn('data', sql`longblob`, (c) => c.notNull())
    .addColumn('created_at', sql`datetime(3)`, (c) => c.notNull().defaultTo(sql`current_timestamp(3)`))
    .addUniqueConstraint('uploads_name_unique', ['name'])
    .modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('uploads').execute();
}
