/** CSRF on the JSON API: with a cookie session, a write without the token or with a wrong one is 403 and writes nothing. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Browser, build, countRows } from '../integration/site/helper.js';

test('an API POST riding a cookie session without, or with a wrong, CSRF token is 403 and writes nothing', async (t) => {
  const { app, database } = await build(t);
  const browser = new Browser(app);
  await browser.register('olga@example.com', 'correct horse battery');
  const users = await countRows(database, 'users');
  const body = { email: 'new@example.com', password: 'another long password', displayName: 'New' };
  const attempts: Record<string, string>[] = [
    {},
    { 'x-csrf-token': 'forged' },
    { 'x-csrf-token': 'A'.repeat(64) },
  ];
  for (const headers of attempts) {
    const response = await browser.request({ method: 'POST', url: '/api/v1/users', json: body, headers });
    assert.equal(response.statusCode, 403, JSON.stringify(headers));
    assert.equal(response.json().code, 'CSRF_INVALID');
  }
  assert.equal(await countRows(database, 'users'), users);
  const session = await browser.request({ url: '/api/v1/session' });
  const ok = await browser.request({
    method: 'POST',
    url: '/api/v1/users',
    json: body,
    headers: { 'x-csrf-token': session.json().csrfToken },
  });
  assert.equal(ok.statusCode, 201, 'the right token is accepted');
});
