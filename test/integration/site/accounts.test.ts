import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Browser, build, countRows } from './helper.js';

const PASSWORD = 'correct horse battery';

test('register → account → log out → log in → change password → log in with the new one', async (t) => {
  const { app } = await build(t);
  const browser = new Browser(app);

  const registered = await browser.register('Ada@Example.com', PASSWORD, 'Ada <b>L</b>');
  assert.equal(registered.statusCode, 303);
  assert.equal(registered.headers.location, '/account');
  assert.ok(browser.cookies.has('sid'));

  const account = await browser.request({ url: '/account' });
  assert.equal(account.statusCode, 200);
  assert.match(account.body, /ada@example\.com/);
  assert.match(account.body, /Ada &lt;b>L&lt;\/b>/, 'the display name is escaped');
  assert.doesNotMatch(account.body, /<b>L<\/b>/);
  assert.match(account.body, /action="\/logout"/);

  const token = /name="_csrf" value="([^"]+)"/.exec(account.body)?.[1] ?? '';
  const loggedOut = await browser.request({ method: 'POST', url: '/logout', form: { _csrf: token } });
  assert.equal(loggedOut.statusCode, 303);
  assert.equal(browser.cookies.has('sid'), false);
  assert.equal(
    (await browser.request({ url: '/account' })).statusCode,
    303,
    'logged out: redirected to login',
  );

  const loggedIn = await browser.login('ada@example.com', PASSWORD, '/account/password');
  assert.equal(loggedIn.statusCode, 303);
  assert.equal(loggedIn.headers.location, '/account/password');

  const _csrf = await browser.csrfFrom('/account/password');
  const wrong = await browser.request({
    method: 'POST',
    url: '/account/password',
    form: { current_password: 'not the password!', new_password: 'a brand new password', _csrf },
  });
  assert.equal(wrong.statusCode, 400);
  assert.match(wrong.body, /current password is not correct/);

  const changed = await browser.request({
    method: 'POST',
    url: '/account/password',
    form: { current_password: PASSWORD, new_password: 'a brand new password', _csrf },
  });
  assert.equal(changed.statusCode, 303);

  const other = new Browser(app);
  assert.equal(
    (await other.login('ada@example.com', PASSWORD)).statusCode,
    401,
    'the old password no longer works',
  );
  assert.equal((await other.login('ada@example.com', 'a brand new password')).statusCode, 303);
});

test('a wrong password and an unknown email get the same answer', async (t) => {
  const { app } = await build(t);
  const browser = new Browser(app);
  await browser.register('bob@example.com', PASSWORD);
  const wrongPassword = await new Browser(app).login('bob@example.com', 'wrong password here');
  const unknownEmail = await new Browser(app).login('nobody@example.com', PASSWORD);
  assert.equal(wrongPassword.statusCode, 401);
  assert.equal(unknownEmail.statusCode, 401);
  const message = (body: string) => /<div class="form-errors"[\s\S]*?<\/div>/.exec(body)?.[0];
  assert.ok(message(wrongPassword.body));
  assert.equal(message(wrongPassword.body), message(unknownEmail.body));
});

test('logging in rotates the session id', async (t) => {
  const { app } = await build(t);
  const browser = new Browser(app);
  await browser.register('carol@example.com', PASSWORD);
  const before = browser.cookies.get('sid');
  await browser.login('carol@example.com', PASSWORD);
  const after = browser.cookies.get('sid');
  assert.ok(before && after);
  assert.notEqual(before, after);
  const stale = new Browser(app);
  stale.cookies.set('sid', before);
  assert.equal((await stale.request({ url: '/account' })).statusCode, 303, 'the old session is gone');
});

test('a form without a CSRF token, or with a wrong one, is refused with 403 and writes nothing', async (t) => {
  const { app, database } = await build(t);
  const browser = new Browser(app);
  await browser.csrfFrom('/register');
  const form = { email: 'dave@example.com', password: PASSWORD, display_name: 'Dave' };
  const missing = await browser.request({ method: 'POST', url: '/register', form });
  assert.equal(missing.statusCode, 403);
  const wrong = await browser.request({
    method: 'POST',
    url: '/register',
    form: { ...form, _csrf: 'x'.repeat(43) },
  });
  assert.equal(wrong.statusCode, 403);
  const noCookie = await new Browser(app).request({
    method: 'POST',
    url: '/register',
    form: { ...form, _csrf: 'abc' },
  });
  assert.equal(noCookie.statusCode, 403);
  assert.equal(await countRows(database, 'users'), 0);
  assert.equal(await countRows(database, 'sessions'), 0);
});

test("a logged-in session's token does not work for another session", async (t) => {
  const { app, database } = await build(t);
  const alice = new Browser(app);
  const mallory = new Browser(app);
  await alice.register('alice@example.com', PASSWORD);
  await mallory.register('mallory@example.com', PASSWORD);
  const malloryToken = await mallory.csrfFrom('/account/password');
  const attempt = await alice.request({
    method: 'POST',
    url: '/logout',
    form: { _csrf: malloryToken },
  });
  assert.equal(attempt.statusCode, 403);
  assert.equal(await countRows(database, 'sessions'), 2);
});

test('a session survives a restart of the app', async (t) => {
  const first = await build(t);
  const browser = new Browser(first.app);
  await browser.register('erin@example.com', PASSWORD);
  const sid = browser.cookies.get('sid') ?? '';
  await first.app.close();

  const second = await build(t, first.database);
  const again = new Browser(second.app);
  again.cookies.set('sid', sid);
  const account = await again.request({ url: '/account' });
  assert.equal(account.statusCode, 200);
  assert.match(account.body, /erin@example\.com/);
});

test('bad input gets a 4xx and writes no row', async (t) => {
  const { app, database } = await build(t);
  const browser = new Browser(app);
  const _csrf = await browser.csrfFrom('/register');
  const cases: {
    name: string;
    status: number;
    form?: Record<string, string>;
    raw?: { type: string; body: string };
  }[] = [
    { name: 'missing fields', status: 400, form: { _csrf } },
    {
      name: 'bad email',
      status: 400,
      form: { _csrf, email: 'not-an-email', password: PASSWORD, display_name: 'X' },
    },
    {
      name: 'short password',
      status: 400,
      form: { _csrf, email: 'x@example.com', password: 'short', display_name: 'X' },
    },
    {
      name: '1 MB email',
      status: 413,
      form: { _csrf, email: `${'a'.repeat(1024 * 1024)}@example.com`, password: PASSWORD, display_name: 'X' },
    },
    {
      name: 'blank display name',
      status: 400,
      form: { _csrf, email: 'x@example.com', password: PASSWORD, display_name: '   ' },
    },
    { name: 'invalid JSON', status: 400, raw: { type: 'application/json', body: '{"email": ' } },
    { name: 'wrong content type', status: 415, raw: { type: 'text/plain', body: 'email=x@example.com' } },
  ];
  for (const c of cases) {
    const response = c.form
      ? await browser.request({ method: 'POST', url: '/register', form: c.form })
      : await app.inject({
          method: 'POST',
          url: '/register',
          headers: { 'content-type': c.raw?.type ?? '', cookie: browser.cookieHeader },
          payload: c.raw?.body,
        });
    assert.equal(response.statusCode, c.status, c.name);
    assert.doesNotMatch(response.body, /at .*\.ts:\d+/, `${c.name}: no stack trace`);
  }
  assert.equal(await countRows(database, 'users'), 0);
});

test('registering the same email twice is refused', async (t) => {
  const { app, database } = await build(t);
  await new Browser(app).register('frank@example.com', PASSWORD);
  const again = await new Browser(app).register('FRANK@example.com', PASSWORD);
  assert.equal(again.statusCode, 400);
  assert.match(again.body, /already exists/);
  assert.equal(await countRows(database, 'users'), 1);
});

test('redirects after login only go to local paths', async (t) => {
  const { app } = await build(t);
  await new Browser(app).register('gina@example.com', PASSWORD);
  for (const next of ['https://evil.example/', '//evil.example/', '/\\evil.example']) {
    const response = await new Browser(app).login('gina@example.com', PASSWORD, next);
    assert.equal(response.headers.location, '/account', next);
  }
});

test('the session cookie is HttpOnly, SameSite=Lax, and Secure behind HTTPS', async (t) => {
  const { app } = await build(t);
  // Registered over HTTP by another browser: a site is served over one scheme, not both.
  await new Browser(app).register('hal@example.com', PASSWORD);
  const browser = new Browser(app);
  // The login page over HTTPS too: its anonymous CSRF cookie is then __Host-csrf.
  const page = await browser.request({ url: '/login', headers: { 'x-forwarded-proto': 'https' } });
  const _csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const response = await browser.request({
    method: 'POST',
    url: '/login',
    form: { email: 'hal@example.com', password: PASSWORD, _csrf },
    headers: { 'x-forwarded-proto': 'https' },
  });
  const cookie = String(response.headers['set-cookie']);
  assert.match(cookie, /sid=[A-Za-z0-9_-]{43}/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Lax/);
  assert.match(cookie, /Secure/);
  assert.match(cookie, /Path=\//);
});
