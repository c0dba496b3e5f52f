/**
 * Accounts per OWASP ASVS L1 V2/V3 against the real site on a real MariaDB: the password policy
 * (length, common list, no composition rules), the per-(account, address) login throttle,
 * re-authentication before a password change, session idle and absolute expiry, no session
 * fixation, __Host- cookies under HTTPS, and the bounded password-hashing queue.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import argon2 from 'argon2';
import { sql } from 'kysely';
import { isCommonPassword, passwordProblem } from '../../src/site/lib/passwords.js';
import {
  authenticate,
  HASH_QUEUE_MAX,
  passwordHashing,
  THROTTLE_FREE_FAILURES,
  throttleDelayMs,
} from '../../src/site/modules/users/users.service.js';
import { Browser, build, countRows, migratorDb } from '../integration/site/helper.js';
import type { TestDatabase } from '../support/mariadb.js';
import { waitFor } from '../support/wait.js';

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
    const rows = await db.selectFrom('login_throttle').select('failures').execute();
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

/** Puts the pair's last failure `ms` in the past, as if the delay had been waited out. */
async function age(database: TestDatabase, ms: number): Promise<void> {
  await exec(
    database,
    sql`update login_throttle set last_failed_at = now(3) - interval ${ms * 1000} microsecond`,
  );
}

const ATTACKER = { address: '203.0.113.66' };
const OWNER = { address: '198.51.100.7' };

test('the throttle counts failures per account and address, in the database, and a success clears them', async (t) => {
  const { app, database } = await build(t);
  await new Browser(app).register('jay@example.com', PASSWORD);
  for (let i = 0; i < 3; i++)
    await assert.rejects(authenticate(app.db, 'jay@example.com', 'wrong password!', ATTACKER));
  await assert.rejects(authenticate(app.db, 'Jay@Example.com', 'wrong password!', OWNER));
  assert.deepEqual((await failures(database)).sort(), [1, 3], 'one count per (account, address)');
  await authenticate(app.db, 'jay@example.com', PASSWORD, ATTACKER);
  assert.deepEqual(await failures(database), [1], "a success clears that address's count only");
});

test('the delay grows with every failure past the free ones, up to 15 minutes', () => {
  assert.equal(throttleDelayMs(THROTTLE_FREE_FAILURES - 1), 0);
  assert.equal(throttleDelayMs(THROTTLE_FREE_FAILURES), 1000);
  assert.equal(throttleDelayMs(THROTTLE_FREE_FAILURES + 1), 2000);
  assert.equal(throttleDelayMs(THROTTLE_FREE_FAILURES + 3), 8000);
  assert.equal(throttleDelayMs(1000), 15 * 60 * 1000);
});

test('an attacker guessing from one address cannot keep the owner out from another', async (t) => {
  const { app, database } = await build(t);
  await new Browser(app).register('kai@example.com', PASSWORD);
  // 100 wrong guesses in an hour (the old lockout's limit), waiting out each delay.
  for (let i = 0; i < 100; i++) {
    await assert.rejects(authenticate(app.db, 'kai@example.com', 'wrong password!', ATTACKER), {
      statusCode: 401,
    });
    await age(database, throttleDelayMs(i + 1));
  }
  await exec(database, sql`update login_throttle set last_failed_at = now(3)`);
  // Inside the delay the attacker is refused even with the right password, before any hashing.
  await assert.rejects(authenticate(app.db, 'kai@example.com', PASSWORD, ATTACKER), { statusCode: 429 });
  // The owner logs in from their own address, through the login form.
  const owner = new Browser(app);
  const _csrf = await owner.csrfFrom('/login');
  const login = await owner.request({
    method: 'POST',
    url: '/login',
    form: { email: 'kai@example.com', password: PASSWORD, _csrf },
    headers: { 'x-forwarded-for': OWNER.address },
  });
  assert.equal(login.statusCode, 303);
  assert.equal((await owner.request({ url: '/account' })).statusCode, 200);
  // Once the delay has passed, the attacker's address may try again (and is throttled again).
  await age(database, throttleDelayMs(100));
  await assert.rejects(authenticate(app.db, 'kai@example.com', 'wrong password!', ATTACKER), {
    statusCode: 401,
  });
  await assert.rejects(authenticate(app.db, 'kai@example.com', PASSWORD, ATTACKER), { statusCode: 429 });
});

test('a throttled account and an unknown email get the same status and body', async (t) => {
  const { app, database } = await build(t);
  await new Browser(app).register('lou@example.com', PASSWORD);
  const emails = ['lou@example.com', 'nobody@example.com'];
  for (const email of emails)
    for (let i = 0; i < THROTTLE_FREE_FAILURES; i++)
      await assert.rejects(authenticate(app.db, email, 'wrong password!', ATTACKER));
  // Deep into the throttle (a 15-minute delay), so that no wait of this test can outlast it.
  await exec(database, sql`update login_throttle set failures = 50, last_failed_at = now(3)`);
  const answers = [];
  for (const email of emails) {
    for (const via of ['page', 'api'] as const) {
      const browser = new Browser(app);
      const headers = { 'x-forwarded-for': ATTACKER.address };
      const response =
        via === 'page'
          ? await browser.request({
              method: 'POST',
              url: '/login',
              form: { email, password: PASSWORD, _csrf: await browser.csrfFrom('/login') },
              headers,
            })
          : await browser.request({
              method: 'POST',
              url: '/api/v1/session',
              json: { email, password: PASSWORD },
              headers,
            });
      // The request id, the visitor's CSRF token and the echoed email differ by construction; nothing else may.
      const body = response.body
        .replace(/"requestId":"[^"]+"/, '')
        .replace(/name="_csrf" value="[^"]+"/, '')
        .replaceAll(email, 'EMAIL');
      answers.push({ via, status: response.statusCode, body });
    }
  }
  const [accountPage, accountApi, unknownPage, unknownApi] = answers;
  assert.equal(accountPage?.status, 429);
  assert.equal(accountApi?.status, 429);
  assert.deepEqual(unknownPage, accountPage);
  assert.deepEqual(unknownApi, accountApi);
});

test('an unknown email costs the same work as a wrong password, and a throttled pair none, known or not', async (t) => {
  const { app, database } = await build(t);
  await new Browser(app).register('mia@example.com', PASSWORD);
  // Every password check, counted (and still done by argon2).
  const verify = t.mock.method(argon2, 'verify');
  const checks = async (email: string): Promise<number> => {
    const before = verify.mock.callCount();
    await assert.rejects(authenticate(app.db, email, 'wrong password!', ATTACKER));
    return verify.mock.callCount() - before;
  };
  await checks('warm-up@example.com'); // the first unknown email also makes the dummy hash, once
  assert.deepEqual(
    [await checks('mia@example.com'), await checks('nobody@example.com')],
    [1, 1],
    'one argon2 verification each: "no such account" takes as long as "wrong password"',
  );
  await exec(database, sql`update login_throttle set failures = 50, last_failed_at = now(3)`);
  assert.deepEqual(
    [await checks('mia@example.com'), await checks('nobody@example.com')],
    [0, 0],
    'a throttled pair is refused before any hashing, whether the account exists or not',
  );
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

test('a full password-hashing queue answers 503 with Retry-After at once, and hashes nothing more', async (t) => {
  const { app } = await build(t);
  await new Browser(app).register('pia@example.com', PASSWORD);
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  // Both slots busy and HASH_QUEUE_MAX logins already waiting.
  const fillers = Array.from({ length: 2 + HASH_QUEUE_MAX }, () => passwordHashing(() => gate));
  t.after(async () => {
    open();
    await Promise.all(fillers);
  });
  assert.equal(passwordHashing.waiting, HASH_QUEUE_MAX);
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/session',
    payload: { email: 'pia@example.com', password: PASSWORD },
  });
  assert.equal(response.statusCode, 503);
  assert.equal(response.headers['retry-after'], '5');
  assert.equal(response.json().code, 'LOGIN_BUSY');
  assert.equal(passwordHashing.waiting, HASH_QUEUE_MAX, 'the refused login did not join the queue');
});

test('a login whose client has gone leaves the hashing queue without being hashed', async () => {
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const busy = [passwordHashing(() => gate), passwordHashing(() => gate)];
  const gone = new AbortController();
  let hashed = false;
  const waiting = passwordHashing(async () => {
    hashed = true;
  }, gone.signal);
  assert.equal(passwordHashing.waiting, 1);
  gone.abort(new Error('client closed'));
  await assert.rejects(waiting, /client closed/);
  assert.equal(passwordHashing.waiting, 0);
  open();
  await Promise.all(busy);
  assert.equal(hashed, false);
});

test('a login over a socket that closes while it waits for a hashing slot is never hashed', async (t) => {
  const { app, database } = await build(t);
  await new Browser(app).register('quinn@example.com', PASSWORD);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  assert.ok(address && typeof address === 'object');
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const busy = [passwordHashing(() => gate), passwordHashing(() => gate)];
  t.after(async () => {
    open();
    await Promise.all(busy);
  });
  // A wrong password: had it been checked, the throttle would count a failure.
  const body = JSON.stringify({ email: 'quinn@example.com', password: 'wrong password!' });
  const socket = connect({ host: '127.0.0.1', port: address.port });
  socket.on('error', () => {});
  socket.write(
    `POST /api/v1/session HTTP/1.1\r\nHost: www.foobar.com\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  await waitFor(() => passwordHashing.waiting === 1, { what: 'the login to wait for a slot' });
  socket.destroy(); // what Nginx does when its proxy_read_timeout ends, or the visitor leaves
  await waitFor(() => passwordHashing.waiting === 0, { what: 'the login to leave the queue' });
  open();
  await Promise.all(busy);
  assert.deepEqual(await failures(database), [], 'the password was never checked');
});
