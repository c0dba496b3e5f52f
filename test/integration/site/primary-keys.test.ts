/**
 * Galera runs with wsrep_mode=REQUIRED_PRIMARY_KEY: a table without a primary key cannot be
 * written on the cluster (and rows of one would replicate in no defined order). Every table of the
 * schema, Kysely's own kysely_migration and kysely_migration_lock included, must have one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE } from '../../../src/contract.js';
import { migrateToLatest, migrations } from '../../../src/site/database/migrator.js';
import { sharedTestMariadb } from '../../support/mariadb.js';
import { migratorDb } from './helper.js';

// biome-ignore lint/suspicious/noExplicitAny: any schema may be checked.
async function tablesWithoutPrimaryKey(db: Kysely<any>): Promise<{ all: string[]; keyless: string[] }> {
  const { rows } = await sql<{ name: string; keyed: number }>`
    select t.table_name as name, exists (
      select 1 from information_schema.table_constraints c
      where c.table_schema = t.table_schema and c.table_name = t.table_name
        and c.constraint_type = 'PRIMARY KEY') as keyed
    from information_schema.tables t
    where t.table_schema = database() and t.table_type = 'BASE TABLE'
    order by t.table_name`.execute(db);
  return { all: rows.map((r) => r.name), keyless: rows.filter((r) => !Number(r.keyed)).map((r) => r.name) };
}

async function migrated(t: import('node:test').TestContext, list = migrations) {
  const database = await (await sharedTestMariadb()).createDatabase('pk');
  t.after(() => database.drop());
  const db = migratorDb(database);
  t.after(() => db.destroy());
  await migrateToLatest(db, list);
  return db;
}

test("every table of a freshly migrated schema has a primary key, Kysely's own tables included", async (t) => {
  const db = await migrated(t);
  const { all, keyless } = await tablesWithoutPrimaryKey(db);
  for (const table of [MIGRATION_TABLE, MIGRATION_LOCK_TABLE, 'users', 'sessions', 'login_throttle'])
    assert.ok(all.includes(table), `${table} is checked`);
  assert.deepEqual(keyless, [], `tables without a primary key: ${keyless.join(', ')}`);
});

test('the check names a table that lacks one', async (t) => {
  const db = await migrated(t, {
    ...migrations,
    '2099_01_01_0000_create_keyless': {
      up: async (m) => {
        await m.schema.createTable('keyless').addColumn('note', 'varchar(20)').execute();
      },
    },
  });
  assert.deepEqual((await tablesWithoutPrimaryKey(db)).keyless, ['keyless']);
});
