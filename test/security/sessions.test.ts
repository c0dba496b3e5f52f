/**
 * Sessions against the real site on a real MariaDB: a password change ends every other session
 * and rotates the current one; "log out everywhere" on the account page and in the API; at most
 * MAX_SESSIONS_PER_USER per account; dead sessions purged on a schedule.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { sql } from 'kysely';
import { buildApp } from '../../src/site/app.js';
import { MAX_SESSIONS_PER_USER, SESSION_PURGE_MS } from '../../src/site/plugins/session.js';
import {
  Browser,
  build,
  countRows,
  freshDatabase,
  migratorDb,
  settingsFor,
} from '../integration/site/helper.js';
import type { TestDatabase } from '../support/mariadb.js';

const PASSWORD = 'correct horse battery';

async function exec(database: TestDatabase, query: ReturnType<typeof sql>): Promise<void> {
  const db = migratorDb(database);
  try {
    await query.execute(db);
  } finally {
    await db.destroy();
  }
}

/** Session rows of the first user, `age` minutes old (last seen and created then), `expired` or not. */
function sessionRows(count: number, ageMinutes: number, expired = false) {
  const rows = Array.from(
    { length: count },
    () =>
      sql`(${randomBytes(32).toString('hex')}, (select min(id) from users), ${randomBytes(32).toString('hex')},
           now(3) - interval ${ageMinutes} minute, now(3) - interval ${ageMinutes} minute,
           ${expired ? sql`now(3) - interval 1 second` : sql`now(3) + interval 1 day`})`,
  );
  return sql`insert into sessions (id, user_id, csrf_secret, created_at, last_seen_at, expires_at) values ${sql.join(rows)}`;
}

async function apiSession(browser: Browser): Promise<number> {
  return (await browser.request({ url: '/api/v1/session' })).statusCode;
}

test('a password change ends every other session of the account and rotates the current one', async (t) => {
  const { app } = await build(t);
  const changer = new Browser(app);
  await changer.register('ada@example.com', PASSWORD);
  const other = new Browser(app);
  await other.login('ada@example.com', PASSWORD);
  assert.equal(await apiSession(other), 200);
  const before = changer.cookies.get('sid');
  const _csrf = await changer.csrfFrom('/account/password');
  const change = await changer.request({
    method: 'POST',
    url: '/account/password',
    form: { current_password: PASSWORD, new_password: 'a brand new password', _csrf },
  });
  assert.equal(change.statusCode, 303);
  assert.equal(await apiSession(other), 401, 'the other browser is logged out');
  const after = changer.cookies.get('sid');
  assert.ok(after && after !== before, 'the current session got a new id');
  assert.equal(await apiSession(changer), 200, 'and stays logged in');
  const stale = new Browser(app);
  stale.cookies.set('sid', before ?? '');
  assert.equal(await apiSession(stale), 401, 'the old id no longer works');
});

test('"Sign out everywhere" on the account page ends every session of the account', async (t) => {
  const { app, database } = await build(t);
  const here = new Browser(app);
  await here.register('bea@example.com', PASSWORD);
  const there = new Browser(app);
  await there.login('bea@example.com', PASSWORD);
  const account = await here.request({ url: '/account' });
  assert.match(account.body, /<form method="post" action="\/logout\?all=1">/);
  const _csrf = /action="\/logout\?all=1">\s*<input type="hidden" name="_csrf" value="([^"]+)"/.exec(
    account.body,
  )?.[1];
  assert.ok(_csrf);
  const out = await here.request({ method: 'POST', url: '/logout?all=1', form: { _csrf } });
  assert.equal(out.statusCode, 303);
  assert.equal(await apiSession(here), 401);
  assert.equal(await apiSession(there), 401);
  assert.equal(await countRows(database, 'sessions'), 0);
});

test('DELETE /api/v1/session?all=1 ends every session of the account; without it, only its own', async (t) => {
  const { app } = await build(t);
  await new Browser(app).register('cai@example.com', PASSWORD);
  const clients = [new Browser(app), new Browser(app), new Browser(app)];
  const tokens: string[] = [];
  for (const client of clients) {
    const login = await client.request({
      method: 'POST',
      url: '/api/v1/session',
      json: { email: 'cai@example.com', password: PASSWORD },
    });
    tokens.push(login.json().csrfToken);
  }
  const [a, b, c] = clients;
  assert.ok(a && b && c);
  const one = await a.request({
    method: 'DELETE',
    url: '/api/v1/session',
    headers: { 'x-csrf-token': tokens[0] ?? '' },
  });
  assert.equal(one.statusCode, 204);
  assert.deepEqual([await apiSession(a), await apiSession(b), await apiSession(c)], [401, 200, 200]);
  const all = await b.request({
    method: 'DELETE',
    url: '/api/v1/session?all=1',
    headers: { 'x-csrf-token': tokens[1] ?? '' },
  });
  assert.equal(all.statusCode, 204);
  assert.deepEqual([await apiSession(b), await apiSession(c)], [401, 401]);
});

test(`an account keeps at most ${MAX_SESSIONS_PER_USER} sessions: a new login drops the least recently used`, async (t) => {
  const { app, database } = await build(t);
  const first = new Browser(app);
  await first.register('dan@example.com', PASSWORD);
  // The registration's session is now the oldest; then MAX - 1 more, each younger.
  await exec(
    database,
    sql`update sessions set created_at = now(3) - interval 1 day, last_seen_at = now(3) - interval 1 day`,
  );
  await exec(database, sessionRows(MAX_SESSIONS_PER_USER - 1, 30));
  assert.equal(await countRows(database, 'sessions'), MAX_SESSIONS_PER_USER);
  const newest = new Browser(app);
  assert.equal((await newest.login('dan@example.com', PASSWORD)).statusCode, 303);
  assert.equal(await countRows(database, 'sessions'), MAX_SESSIONS_PER_USER);
  assert.equal(await apiSession(newest), 200);
  assert.equal(await apiSession(first), 401, 'the least recently used session was dropped');
});

test('dead sessions of every account are purged on a schedule, and the timer stops with the app', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const database = await freshDatabase(t);
  const app = await buildApp(settingsFor(database), { logger: false });
  await app.ready();
  const live = new Browser(app);
  await live.register('eve@example.com', PASSWORD);
  await exec(database, sessionRows(3, 1, true)); // past their absolute expiry
  await exec(database, sessionRows(2, 8 * 24 * 60)); // idle for 8 days
  assert.equal(await countRows(database, 'sessions'), 6);
  t.mock.timers.tick(SESSION_PURGE_MS);
  // close() waits for a sweep under way, then stops the timer.
  await app.close();
  assert.equal(await countRows(database, 'sessions'), 1, 'only the live session is left');
});
