/**
 * Cross-site requests against the real site on a real MariaDB: the login CSRF a plain HTML form
 * on another site could do through the API, and every unsafe request another site makes a
 * browser send. Refused ones are 403 (415 for a non-JSON API body) and write nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type RawBuilder, sql } from 'kysely';
import { Browser, build, countRows, migratorDb } from '../integration/site/helper.js';
import type { TestDatabase } from '../support/mariadb.js';

const PASSWORD = 'correct horse battery';
const SITE = 'http://www.foobar.com'; // settingsFor()'s public URL

/** Runs one statement as the migrator and returns its rows. */
async function query<T>(database: TestDatabase, statement: RawBuilder<T>): Promise<T[]> {
  const db = migratorDb(database);
  try {
    return (await statement.execute(db)).rows;
  } finally {
    await db.destroy();
  }
}

test('a cross-site HTML form posted to POST /api/v1/session logs nobody in', async (t) => {
  const { app, database } = await build(t);
  await new Browser(app).register('attacker@example.com', PASSWORD);
  const sessions = await countRows(database, 'sessions');
  const form = new URLSearchParams({ email: 'attacker@example.com', password: PASSWORD }).toString();
  const crossSite = await app.inject({
    method: 'POST',
    url: '/api/v1/session',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: 'https://evil.example',
      'sec-fetch-site': 'cross-site',
    },
    payload: form,
  });
  assert.equal(crossSite.statusCode, 403);
  assert.equal(crossSite.headers['content-type'], 'application/problem+json; charset=utf-8');
  assert.equal(crossSite.json().code, 'CROSS_SITE_REQUEST');
  assert.equal(crossSite.headers['set-cookie'], undefined);
  // The same form without the browser's headers (a non-browser client): the API takes only JSON.
  const formBody = await app.inject({
    method: 'POST',
    url: '/api/v1/session',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: form,
  });
  assert.equal(formBody.statusCode, 415);
  assert.equal(formBody.headers['content-type'], 'application/problem+json; charset=utf-8');
  assert.equal(formBody.json().code, 'UNSUPPORTED_MEDIA_TYPE');
  assert.equal(formBody.headers['set-cookie'], undefined);
  const multipart = await app.inject({
    method: 'POST',
    url: '/api/v1/session',
    headers: { 'content-type': 'multipart/form-data; boundary=x' },
    payload: '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\nattacker@example.com\r\n--x--\r\n',
  });
  assert.equal(multipart.statusCode, 415);
  assert.equal(await countRows(database, 'sessions'), sessions);
});

test('unsafe requests from another site are 403 and write nothing; same-origin and non-browser ones pass', async (t) => {
  const { app, database } = await build(t);
  const browser = new Browser(app);
  await browser.register('zoe@example.com', PASSWORD);
  const users = await countRows(database, 'users');
  const register = async (headers: Record<string, string>, email: string) => {
    const client = new Browser(app);
    const _csrf = await client.csrfFrom('/register');
    return client.request({
      method: 'POST',
      url: '/register',
      form: { email, password: PASSWORD, display_name: 'New', _csrf },
      headers,
    });
  };
  const foreign: Record<string, string>[] = [
    { origin: 'https://evil.example' },
    { origin: 'null' },
    { origin: 'https://www.foobar.com' }, // another scheme is another origin
    { 'sec-fetch-site': 'cross-site' },
    { origin: SITE, 'sec-fetch-site': 'cross-site' },
  ];
  for (const [i, headers] of foreign.entries()) {
    const response = await register(headers, `refused${i}@example.com`);
    assert.equal(response.statusCode, 403, JSON.stringify(headers));
  }
  const logout = await browser.request({
    method: 'POST',
    url: '/logout',
    form: { _csrf: await browser.csrfFrom('/account/password') },
    headers: { origin: 'https://evil.example' },
  });
  assert.equal(logout.statusCode, 403);
  assert.equal((await browser.request({ url: '/api/v1/session' })).statusCode, 200, 'still logged in');
  assert.equal(await countRows(database, 'users'), users);

  assert.equal(
    (await register({ origin: SITE, 'sec-fetch-site': 'same-origin' }, 'a@example.com')).statusCode,
    303,
  );
  assert.equal((await register({ 'sec-fetch-site': 'same-site' }, 'b@example.com')).statusCode, 303);
  assert.equal((await register({}, 'c@example.com')).statusCode, 303, 'no Origin, no Sec-Fetch-Site');
  assert.equal(await countRows(database, 'users'), users + 3);
});

test("a refused cross-site request does not even slide the visitor's session", async (t) => {
  const { app, database } = await build(t);
  const browser = new Browser(app);
  await browser.register('sam@example.com', PASSWORD);
  // Last seen ten minutes ago: any request that reaches the session hook writes last_seen_at.
  await query(database, sql`update sessions set last_seen_at = now(3) - interval 10 minute`);
  const lastSeen = async () =>
    (await query<{ at: string }>(database, sql`select cast(last_seen_at as char) as at from sessions`)).map(
      (row) => row.at,
    );
  const before = await lastSeen();
  const refused = await browser.request({
    method: 'POST',
    url: '/api/v1/articles',
    json: { title: 'Planted', body: 'x' },
    headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
  });
  assert.equal(refused.statusCode, 403);
  assert.equal(refused.headers['set-cookie'], undefined, 'no cookie slid or cleared');
  assert.deepEqual(await lastSeen(), before, 'the session row is untouched');
  // The same visitor's own request does slide it: the check above can fail.
  assert.equal((await browser.request({ url: '/api/v1/session' })).statusCode, 200);
  assert.notDeepEqual(await lastSeen(), before);
});
