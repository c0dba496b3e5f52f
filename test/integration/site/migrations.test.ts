import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { MigrationError, migrateToLatest, migrations } from '../../../src/site/database/migrator.js';
import { sharedTestMariadb } from '../../support/mariadb.js';
import { migratorDb } from './helper.js';

async function emptyDatabase(t: import('node:test').TestContext) {
  const database = await (await sharedTestMariadb()).createDatabase('mig');
  t.after(() => database.drop());
  const db = migratorDb(database);
  t.after(() => db.destroy());
  return db;
}

test('migrations run from an empty database, and running them again is a no-op', async (t) => {
  const db = await emptyDatabase(t);
  assert.deepEqual(await migrateToLatest(db), Object.keys(migrations));
  assert.deepEqual(await migrateToLatest(db), []);
  const tables = await sql<{
    name: string;
  }>`select table_name as name from information_schema.tables where table_schema = database()`.execute(db);
  const names = tables.rows.map((r) => r.name);
  for (const table of ['users', 'sessions', 'kysely_migration', 'kysely_migration_lock'])
    assert.ok(names.includes(table), table);
  const history = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  assert.deepEqual(
    history.rows.map((r) => r.name),
    Object.keys(migrations).sort(),
  );
});

test('a failing migration stops with its name and the error, and the ones after it do not run', async (t) => {
  const db = await emptyDatabase(t);
  const broken = {
    ...migrations,
    '2099_01_01_0000_break_things': {
      up: async () => {
        await sql`select * from no_such_table`.execute(db);
      },
    },
    '2099_01_01_0001_create_later': {
      up: async () => {
        await sql`create table later (id int)`.execute(db);
      },
    },
  };
  await assert.rejects(migrateToLatest(db, broken), (error: unknown) => {
    assert.ok(error instanceof MigrationError);
    assert.equal(error.migration, '2099_01_01_0000_break_things');
    assert.match(error.message, /2099_01_01_0000_break_things.*no_such_table/);
    return true;
  });
  const later =
    await sql`select count(*) as n from information_schema.tables where table_schema = database() and table_name = 'later'`.execute(
      db,
    );
  assert.deepEqual(later.rows, [{ n: 0 }]);
  // The good ones before it were applied and recorded.
  assert.deepEqual(await migrateToLatest(db), []);
});
