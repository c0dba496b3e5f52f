import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('articles')
    .addColumn('id', sql`bigint unsigned`, (c) => c.autoIncrement().primaryKey())
    .addColumn('slug', 'varchar(80)', (c) => c.notNull())
    .addColumn('title', 'varchar(200)', (c) => c.notNull())
    .addColumn('body_md', sql`mediumtext`, (c) => c.notNull())
    // Rendered and sanitized when written, so pages never run Markdown on a read.
    .addColumn('body_html', sql`mediumtext`, (c) => c.notNull())
    .addColumn('author_id', sql`bigint unsigned`, (c) =>
      c.notNull().references('users.id').onDelete('restrict'),
    )
    .addColumn('status', sql`enum('draft','published')`, (c) => c.notNull().defaultTo('draft'))
    .addColumn('created_at', sql`datetime(3)`, (c) => c.notNull().defaultTo(sql`current_timestamp(3)`))
    .addColumn('updated_at', sql`datetime(3)`, (c) =>
      c.notNull().defaultTo(sql`current_timestamp(3)`).modifyEnd(sql`on update current_timestamp(3)`),
    )
    .addColumn('published_at', sql`datetime(3)`)
    // Named so that a duplicate-key error on it is recognisable (lib/slug.ts).
    .addUniqueConstraint('articles_slug_unique', ['slug'])
    .modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci`)
    .execute();
  // The public list: WHERE status = 'published' ORDER BY published_at DESC, id DESC.
  await db.schema
    .createIndex('articles_status_published_at_id')
    .on('articles')
    .columns(['status', 'published_at', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('articles').execute();
}
