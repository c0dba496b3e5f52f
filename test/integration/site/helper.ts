import type { TestContext } from 'node:test';
import type { SiteSettings } from '../../../src/contract.js';
import { type App, buildApp } from '../../../src/site/app.js';
import { createDb, type Db } from '../../../src/site/database/database.js';
import { migrateToLatest } from '../../../src/site/database/migrator.js';
import { sharedTestMariadb, type TestDatabase } from '../../support/mariadb.js';

export function settingsFor(database: TestDatabase, overrides: Partial<SiteSettings> = {}): SiteSettings {
  return {
    databaseUrl: database.url,
    databasePassword: database.appPassword,
    sessionSecret: 'test-session-secret-0123456789abcdef0123456789',
    uploadsDir: '/tmp/uploads',
    uploadMaxBytes: 1024 * 1024,
    publicUrl: 'http://www.foobar.com',
    dbPoolSize: 4,
    logLevel: 'silent',
    release: 'test',
    port: 0,
    host: '127.0.0.1',
    ...overrides,
  };
}

/** A fresh database on the shared test server, migrated with the migrator account; dropped after. */
export async function freshDatabase(t: TestContext): Promise<TestDatabase> {
  const server = await sharedTestMariadb();
  const database = await server.createDatabase('site');
  t.after(() => database.drop());
  const db = migratorDb(database);
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  return database;
}

export function migratorDb(database: TestDatabase): Db {
  return createDb({ url: database.migratorUrl, password: database.migratorPassword, poolSize: 2 });
}

/** fastify/demo's build(t): a migrated database, the app over it, closed when the test ends. */
export async function build(t: TestContext, database?: TestDatabase): Promise<{ app: App; database: TestDatabase }> {
  const db = database ?? (await freshDatabase(t));
  const app = await buildApp(settingsFor(db), { logger: false });
  t.after(() => app.close());
  await app.ready();
  return { app, database: db };
}
