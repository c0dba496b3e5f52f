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
export async function build(
  t: TestContext,
  database?: TestDatabase,
): Promise<{ app: App; database: TestDatabase }> {
  const db = database ?? (await freshDatabase(t));
  const app = await buildApp(settingsFor(db), { logger: false });
  t.after(() => app.close());
  await app.ready();
  return { app, database: db };
}

/** A browser's cookie jar over inject(): keeps what Set-Cookie gives, drops what it clears. */
export class Browser {
  readonly cookies = new Map<string, string>();
  constructor(private app: App) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(options: {
    method?: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH';
    url: string;
    form?: Record<string, string>;
    json?: unknown;
    headers?: Record<string, string>;
  }) {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookies.size > 0) headers.cookie = this.cookieHeader;
    let payload: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = new URLSearchParams(options.form).toString();
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(options.json);
    }
    const response = await this.app.inject({
      method: options.method ?? 'GET',
      url: options.url,
      headers,
      payload,
    });
    for (const c of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const cleared =
        c.value === '' || c.maxAge === 0 || (c.expires !== undefined && c.expires.getTime() <= Date.now());
      if (cleared) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return response;
  }

  /** Loads a page and returns the CSRF token of its form. */
  async csrfFrom(url: string): Promise<string> {
    const response = await this.request({ url });
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1];
    if (!token) throw new Error(`no CSRF field on ${url} (status ${response.statusCode})`);
    return token;
  }

  async register(email: string, password: string, displayName = 'Test User') {
    const _csrf = await this.csrfFrom('/register');
    return this.request({
      method: 'POST',
      url: '/register',
      form: { email, password, display_name: displayName, _csrf },
    });
  }

  async login(email: string, password: string, next?: string) {
    const _csrf = await this.csrfFrom('/login');
    const url = next ? `/login?next=${encodeURIComponent(next)}` : '/login';
    return this.request({ method: 'POST', url, form: { email, password, _csrf } });
  }
}

export async function countRows(database: TestDatabase, table: 'users' | 'sessions'): Promise<number> {
  const db = migratorDb(database);
  try {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  } finally {
    await db.destroy();
  }
}
