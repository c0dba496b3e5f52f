import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import {
  MigrationError,
  migrateToLatest,
  migrations,
  newerMigrations,
} from '../../../src/site/database/migrator.js';
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

test('an older release on a newer expand-only schema applies nothing and runs; a contract or a gap in history stops it', async (t) => {
  const db = await emptyDatabase(t);
  const newer = {
    ...migrations,
    '2099_01_01_0000_add_articles_subtitle': {
      up: async () => {
        await sql`alter table articles add column subtitle varchar(200) null`.execute(db);
      },
    },
  };
  await migrateToLatest(db, newer);
  // The release before it (today's list) restarts on that schema: nothing to do, no error.
  assert.deepEqual(await migrateToLatest(db), []);
  assert.deepEqual(await newerMigrations(db), ['2099_01_01_0000_add_articles_subtitle']);

  // A release that has a migration the database lacks, beside one it lacks: a forked history.
  const forked = {
    ...migrations,
    '2098_01_01_0000_add_products_weight': {
      up: async () => {
        await sql`alter table products add column weight int null`.execute(db);
      },
    },
  };
  await assert.rejects(migrateToLatest(db, forked), (error: unknown) => {
    assert.ok(error instanceof MigrationError);
    assert.equal(error.migration, '2098_01_01_0000_add_products_weight');
    assert.match(
      error.message,
      /lacks \(2099_01_01_0000_add_articles_subtitle\).*deploy a release that has both/,
    );
    return true;
  });
  const columns =
    await sql`select count(*) as n from information_schema.columns where table_schema = database() and table_name = 'products' and column_name = 'weight'`.execute(
      db,
    );
  assert.deepEqual(columns.rows, [{ n: 0 }]);

  // A newer contract migration removed what the older release reads: it must not start.
  await migrateToLatest(db, {
    ...newer,
    '2099_01_02_0000_drop_articles_subtitle': {
      up: async () => {
        await sql`alter table articles drop column subtitle`.execute(db);
      },
    },
  });
  await assert.rejects(
    migrateToLatest(db),
    /older than the schema, and 2099_01_02_0000_drop_articles_subtitle removed/,
  );
});
