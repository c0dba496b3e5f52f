import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { type Migration, sql } from 'kysely';
import { MIGRATION_LOCK_TABLE } from '../../../src/contract.js';
import { MigrationLockBusyError, takeMigrationLock } from '../../../src/site/database/migration-lock.js';
import { migrateToLatest, migrations } from '../../../src/site/database/migrator.js';
import { sharedTestMariadb } from '../../support/mariadb.js';
import { migratorDb } from './helper.js';

async function emptyDatabase(t: import('node:test').TestContext) {
  const database = await (await sharedTestMariadb()).createDatabase('lock');
  t.after(() => database.drop());
  return database;
}

async function lockValue(db: ReturnType<typeof migratorDb>): Promise<number> {
  const { rows } = await sql<{ is_locked: number }>`
    select is_locked from ${sql.table(MIGRATION_LOCK_TABLE)}`.execute(db);
  assert.equal(rows.length, 1, 'one lock row');
  return Number(rows[0]?.is_locked);
}

test('two migrators at once: one migrates while the other waits, then finds nothing to do; the schema ends right', async (t) => {
  const database = await emptyDatabase(t);
  const first = migratorDb(database);
  const second = migratorDb(database);
  const watcher = migratorDb(database);
  t.after(() => Promise.all([first.destroy(), second.destroy(), watcher.destroy()]));
  // A slow last migration keeps the lock held long enough to be seen, from another connection.
  let seenLocked = 0;
  const slow: Migration = {
    up: async (db) => {
      seenLocked = await lockValue(watcher);
      await sql`select sleep(1)`.execute(db);
      await db.schema
        .createTable('lock_probe')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .execute();
    },
  };
  const list = { ...migrations, '2099_01_01_0000_create_lock_probe': slow };

  const results = await Promise.all([migrateToLatest(first, list), migrateToLatest(second, list)]);
  const applied = results.map((names) => names.length).sort((a, b) => a - b);
  assert.deepEqual(applied, [0, Object.keys(list).length], 'one applied every migration, the other none');
  assert.ok(
    seenLocked > Date.now() / 1000,
    `the lock is a committed row another connection (another Galera node) sees: is_locked=${seenLocked}`,
  );
  assert.equal(await lockValue(watcher), 0, 'released at the end');
  const history = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
    watcher,
  );
  assert.deepEqual(
    history.rows.map((r) => r.name),
    Object.keys(list).sort(),
    'each migration recorded once',
  );
});

test('a held lease makes a migrator wait, then fail with the reason; an expired one (a dead migrator) is taken over', async (t) => {
  const database = await emptyDatabase(t);
  const db = migratorDb(database);
  t.after(() => db.destroy());
  await migrateToLatest(db);
  const options = { lockTable: MIGRATION_LOCK_TABLE, lockRowId: 'migration_lock' };
  const rowId = await sql<{ id: string }>`select id from ${sql.table(MIGRATION_LOCK_TABLE)}`.execute(db);
  assert.deepEqual(rowId.rows, [{ id: options.lockRowId }], "Kysely's own lock row");

  // Another migrator holds it, its lease a minute from now.
  const liveUntil = Math.floor(Date.now() / 1000) + 60;
  await sql`update ${sql.table(MIGRATION_LOCK_TABLE)} set is_locked = ${liveUntil}`.execute(db);
  await db.connection().execute(async (connection) => {
    await assert.rejects(takeMigrationLock(connection, options, 600), (error: unknown) => {
      assert.ok(error instanceof MigrationLockBusyError);
      assert.match(error.message, /another migrator holds the migration lock \(its lease ends 20\d\d-/);
      return true;
    });
  });
  assert.equal(await lockValue(db), liveUntil, 'a waiting migrator changes nothing');

  // Its lease ran out (it died mid-run): the next migrator takes the lock and migrates.
  await sql`update ${sql.table(MIGRATION_LOCK_TABLE)} set is_locked = ${liveUntil - 120}`.execute(db);
  await delay(0);
  const list = {
    ...migrations,
    '2099_01_01_0000_create_after_takeover': {
      up: async (m: typeof db) => {
        await m.schema
          .createTable('after_takeover')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .execute();
      },
    },
  };
  assert.deepEqual(await migrateToLatest(db, list), ['2099_01_01_0000_create_after_takeover']);
  assert.equal(await lockValue(db), 0);
});
