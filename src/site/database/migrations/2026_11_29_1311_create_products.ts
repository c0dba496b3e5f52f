import { type Kysely, sql } from 'kysely';

// Kept in step with CURRENCIES in modules/products/products.table.ts; a migration is history, so it has its own copy.
const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'CAD', 'AUD', 'SEK', 'NOK', 'DKK'];

export async function up(db: Kysely<unknown>): Promise<void> {
  const currencyList = sql.join(CURRENCIES.map((c) => sql.lit(c)));
  await db.schema
    .createTable('products')
    .addColumn('id', sql`bigint unsigned`, (c) => c.autoIncrement().primaryKey())
    .addColumn('slug', 'varchar(80)', (c) => c.notNull())
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('price_cents', sql`int unsigned`, (c) => c.notNull())
    .addColumn('currency', sql`char(3)`, (c) => c.notNull().check(sql`currency in (${currencyList})`))
    // Unsigned already refuses negatives in strict mode; the CHECK says so in the schema too.
    .addColumn('stock', sql`int unsigned`, (c) => c.notNull().defaultTo(0).check(sql`stock >= 0`))
    .addColumn('image_path', 'varchar(255)')
    .addColumn('created_at', sql`datetime(3)`, (c) => c.notNull().defaultTo(sql`current_timestamp(3)`))
    .addColumn('updated_at', sql`datetime(3)`, (c) =>
      c.notNull().defaultTo(sql`current_timestamp(3)`).modifyEnd(sql`on update current_timestamp(3)`),
    )
    .addUniqueConstraint('products_slug_unique', ['slug'])
    .modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci`)
    .execute();
  await db.schema
    .createIndex('products_created_at_id')
    .on('products')
    .columns(['created_at', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('products').execute();
}
