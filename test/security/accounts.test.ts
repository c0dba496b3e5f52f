/**
 * Accounts per OWASP ASVS L1 V2/V3 against the real site on a real MariaDB: the password policy
 * (length, common list, no composition rules), the per-account lockout, re-authentication before
 * a password change, session idle and absolute expiry, and no session fixation.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { isCommonPassword, passwordProblem } from '../../src/site/lib/passwords.js';
import { authenticate, MAX_FAILED_LOGINS_PER_HOUR } from '../../src/site/modules/users/users.service.js';
import { Browser, build, countRows, migratorDb } from '../integration/site/helper.js';
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

async function failures(database: TestDatabase): Promise<number[]> {
  const db = migratorDb(database);
  try {
    const rows = await db.selectFrom('login_failures').select('failures').execute();
    return rows.map((r) => r.failures);
  } finally {
    await db.destroy();
  }
}

test('the policy: 12 to 128 characters, any characters, no composition rules, not a common password', () => {
  assert.match(passwordProblem('elevenchars') ?? '', /at least 12/);
  assert.equal(passwordProblem('all lower case words'), null, 'no composition rules');
  assert.equal(passwordProblem('x'.repeat(64)), null, '64 characters are accepted');
  assert.equal(passwordProblem('y'.repeat(128)), null);
  assert.match(passwordProblem('z'.repeat(129)) ?? '', /at most 128/);
  assert.equal(passwordProblem('пароль-для-сайта ✓'), null, 'Unicode is accepted');
  assert.equal(
    passwordProblem('🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑'),
    null,
    'length counts characters, not UTF-16 units',
  );
  for (const common of ['password1234', 'Qwerty123456', 'iloveyou2024', '123456789012', 'PasswordPassword'])
    assert.ok(isCommonPassword(common), common);
  assert.match(passwordProblem('ada@example.com', ['ada@example.com']) ?? '', /email or name/);
});

test('registering with a common password is refused (page and API) and writes no row', async (t) => {
  const { app, database } = await build(t);
  const page = await new Browser(app).register('hal@example.com', 'Password1234');
  assert.equal(page.statusCode, 400);
  assert.match(page.body, /too common/);
  const api = await app.inject({
    method: 'POST',
    url: '/api/v1/users',
    payload: { email: 'hal@example.com', password: 'qwerty123456', displayName: 'Hal' },
  });
  assert.equal(api.statusCode, 400);
  assert.match(api.body, /too common/);
  assert.equal(await countRows(database, 'users'), 0);
  const long = await new Browser(app).register('hal@example.com', 'p'.repeat(100));
  assert.equal(long.statusCode, 303, 'a 100-character password is accepted');
});

test('changing the password needs the current one and refuses a common new one', async (t) => {
  const { app } = await build(t);
  const browser = new Browser(app);
  await browser.register('ivy@example.com', PASSWORD);
  const _csrf = await browser.csrfFrom('/account/password');
  const change = (current_password: string, new_password: string) =>
    browser.request({
      method: 'POST',
      url: '/account/password',
      form: { current_password, new_password, _csrf },
    });
  const withoutReauth = await change('', 'a brand new password');
  assert.equal(withoutReauth.statusCode, 400);
  const common = await change(PASSWORD, 'letmein12345');
  assert.equal(common.statusCode, 400);
  assert.match(common.body, /too common/);
  assert.equal((await change(PASSWORD, 'a brand new password')).statusCode, 303);
});

test(`at most ${MAX_FAILED_LOGINS_PER_HOUR} failed logins per account per hour, counted in the database`, async (t) => {
  const { app, database } = await build(t);
  await new Browser(app).register('jay@example.com', PASSWORD);
  for (let i = 0; i < 3; i++)
    await assert.rejects(authenticate(app.db, 'jay@example.com', 'wrong password!'));
  assert.deepEqual(await failures(database), [3], 'each failure is counted');
  await authenticate(app.db, 'jay@example.com', PASSWORD);
  assert.deepEqual(await failures(database), [], 'a success clears the count');

  // The limit reached (as by 100 guesses from any number of workers or addresses): even the right password is refused.
  await exec(
    database,
    sql`insert into login_failures (user_id, failures, window_started_at)
        select id, ${MAX_FAILED_LOGINS_PER_HOUR}, now(3) - interval 10 minute from users`,
  );
  await assert.rejects(authenticate(app.db, 'jay@example.com', PASSWORD), { statusCode: 429 });
  const page = await new Browser(app).login('jay@example.com', PASSWORD);
  assert.equal(page.statusCode, 429);
  assert.match(page.body, /Too many failed attempts/);
  assert.doesNotMatch(String(page.headers['set-cookie'] ?? ''), /(^|,\s*)sid=/, 'no session');

  // An hour later the window is over: the right password works again.
  await exec(database, sql`update login_failures set window_started_at = now(3) - interval 61 minute`);
  assert.equal((await authenticate(app.db, 'jay@example.com', PASSWORD)).email, 'jay@example.com');
});

test('a failed re-authentication counts towards the lockout', async (t) => {
  const { app, database } = await build(t);
  const browser = new Browser(app);
  await browser.register('kim@example.com', PASSWORD);
  const _csrf = await browser.csrfFrom('/account/password');
  const form = { current_password: 'not my password', new_password: 'a brand new password', _csrf };
  assert.equal((await browser.request({ method: 'POST', url: '/account/password', form })).statusCode, 400);
  assert.deepEqual(await failures(database), [1]);
});

test('sessions end after 7 idle days and 30 days at most', async (t) => {
  const { app, database } = await build(t);
  const browser = new Browser(app);
  await browser.register('lea@example.com', PASSWORD);
  assert.equal((await browser.request({ url: '/account' })).statusCode, 200);
  await exec(database, sql`update sessions set last_seen_at = now(3) - interval 8 day`);
  assert.equal((await browser.request({ url: '/account' })).statusCode, 303, 'idle for 8 days: logged out');

  const again = new Browser(app);
  await again.login('lea@example.com', PASSWORD);
  assert.equal((await again.request({ url: '/account' })).statusCode, 200);
  // Active every day, but past the absolute expiry.
  await exec(database, sql`update sessions set expires_at = now(3) - interval 1 second`);
  assert.equal(
    (await again.request({ url: '/account' })).statusCode,
    303,
    'past the absolute expiry: logged out',
  );
});

test('a session id planted before login is never adopted (no fixation)', async (t) => {
  const { app } = await build(t);
  await new Browser(app).register('max@example.com', PASSWORD);
  const victim = new Browser(app);
  const planted = 'A'.repeat(43);
  victim.cookies.set('sid', planted);
  assert.equal((await victim.login('max@example.com', PASSWORD)).statusCode, 303);
  const issued = victim.cookies.get('sid');
  assert.ok(issued && issued !== planted);
  const attacker = new Browser(app);
  attacker.cookies.set('sid', planted);
  assert.equal((await attacker.request({ url: '/account' })).statusCode, 303);
});

test('under HTTPS the session cookie is __Host-sid: Secure, Path=/, no Domain; and it is the one read', async (t) => {
  const { app } = await build(t);
  await new Browser(app).register('ned@example.com', PASSWORD);
  const https = { 'x-forwarded-proto': 'https' };
  const browser = new Browser(app);
  // The login page over HTTPS too: its anonymous CSRF cookie is then __Host-csrf.
  const page = await browser.request({ url: '/login', headers: https });
  const _csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const login = await browser.request({
    method: 'POST',
    url: '/login',
    form: { email: 'ned@example.com', password: PASSWORD, _csrf },
    headers: https,
  });
  assert.equal(login.statusCode, 303);
  const cookie = String(login.headers['set-cookie']);
  assert.match(cookie, /__Host-sid=[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Lax/);
  assert.doesNotMatch(cookie, /Domain=/i);
  assert.equal((await browser.request({ url: '/account', headers: https })).statusCode, 200);
  // A plain `sid` (as a plain-HTTP page could plant) is not read over HTTPS.
  const planted = new Browser(app);
  planted.cookies.set('sid', browser.cookies.get('__Host-sid') ?? '');
  assert.equal((await planted.request({ url: '/account', headers: https })).statusCode, 303);
});

test('under HTTPS the anonymous CSRF cookie is __Host-csrf: Secure, Path=/, no Domain; and it is the one read', async (t) => {
  const { app } = await build(t);
  await new Browser(app).register('ona@example.com', PASSWORD);
  const https = { 'x-forwarded-proto': 'https' };
  const browser = new Browser(app);
  const page = await browser.request({ url: '/login', headers: https });
  const cookie = String(page.headers['set-cookie']);
  assert.match(
    cookie,
    /^__Host-csrf=[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
  );
  const _csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  // A plain `csrf` cookie (as a plain-HTTP page or a sibling subdomain could plant) is not read over HTTPS.
  const planted = new Browser(app);
  planted.cookies.set('csrf', browser.cookies.get('__Host-csrf') ?? '');
  const form = { email: 'ona@example.com', password: PASSWORD, _csrf };
  const refused = await planted.request({ method: 'POST', url: '/login', form, headers: https });
  assert.equal(refused.statusCode, 403);
  const login = await browser.request({ method: 'POST', url: '/login', form, headers: https });
  assert.equal(login.statusCode, 303);
});
