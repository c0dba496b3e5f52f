import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildApp } from '../../../src/site/app.js';
import { Browser, build, countRows, freshDatabase, settingsFor } from './helper.js';

const PASSWORD = 'correct horse battery';

test('API: register, log in, read the session, log out with the CSRF header', async (t) => {
  const { app } = await build(t);
  const client = new Browser(app);
  const created = await client.request({
    method: 'POST',
    url: '/api/v1/users',
    json: { email: 'api@example.com', password: PASSWORD, displayName: 'Api' },
  });
  assert.equal(created.statusCode, 201);
  assert.deepEqual(Object.keys(created.json()).sort(), ['displayName', 'email', 'id', 'role']);
  assert.equal(created.json().role, 'member');

  assert.equal((await client.request({ url: '/api/v1/session' })).statusCode, 401);
  const login = await client.request({
    method: 'POST',
    url: '/api/v1/session',
    json: { email: 'api@example.com', password: PASSWORD },
  });
  assert.equal(login.statusCode, 200);
  const { csrfToken, user } = login.json();
  assert.equal(user.email, 'api@example.com');

  const session = await client.request({ url: '/api/v1/session' });
  assert.equal(session.statusCode, 200);
  assert.equal(session.json().csrfToken, csrfToken);

  const noToken = await client.request({ method: 'DELETE', url: '/api/v1/session' });
  assert.equal(noToken.statusCode, 403);
  assert.equal(noToken.headers['content-type'], 'application/problem+json; charset=utf-8');
  assert.equal(noToken.json().code, 'CSRF_INVALID');

  const out = await client.request({
    method: 'DELETE',
    url: '/api/v1/session',
    headers: { 'x-csrf-token': csrfToken },
  });
  assert.equal(out.statusCode, 204);
  assert.equal((await client.request({ url: '/api/v1/session' })).statusCode, 401);
});

test('API: bad credentials and bad bodies are problem+json 4xx with field errors, and write nothing', async (t) => {
  const { app, database } = await build(t);
  const client = new Browser(app);
  const wrong = await client.request({
    method: 'POST',
    url: '/api/v1/session',
    json: { email: 'x@example.com', password: 'whatever-it-is' },
  });
  assert.equal(wrong.statusCode, 401);
  assert.equal(wrong.json().code, 'INVALID_CREDENTIALS');

  const invalid = await client.request({
    method: 'POST',
    url: '/api/v1/users',
    json: { email: 'nope', password: 3 },
  });
  assert.equal(invalid.statusCode, 400);
  const fields = invalid
    .json()
    .errors.map((e: { field: string }) => e.field)
    .sort();
  assert.deepEqual(fields, ['displayName', 'email', 'password']);

  const extra = await client.request({
    method: 'POST',
    url: '/api/v1/users',
    json: { email: 'a@example.com', password: PASSWORD, displayName: 'A', role: 'admin' },
  });
  assert.equal(extra.statusCode, 400, 'unknown fields (like a role) are refused');

  const badJson = await app.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: { 'content-type': 'application/json' },
    payload: '{"email":',
  });
  assert.equal(badJson.statusCode, 400);
  assert.equal(badJson.headers['content-type'], 'application/problem+json; charset=utf-8');

  const textPlain = await app.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: { 'content-type': 'text/plain' },
    payload: 'hi',
  });
  assert.equal(textPlain.statusCode, 415);

  const huge = await client.request({
    method: 'POST',
    url: '/api/v1/users',
    json: { email: `${'a'.repeat(1024 * 1024)}@example.com`, password: PASSWORD, displayName: 'A' },
  });
  assert.equal(huge.statusCode, 413);
  assert.equal(await countRows(database, 'users'), 0);
});

test('API: login is rate limited per address', async (t) => {
  const { app } = await build(t);
  const statuses: number[] = [];
  for (let i = 0; i < 11; i++) {
    // A new email each time: the per-(account, address) throttle stays out of this (its own tests are in security/).
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { email: `x${i}@example.com`, password: 'whatever-it-is' },
    });
    statuses.push(r.statusCode);
  }
  assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
  assert.equal(statuses[10], 429);
});

test('API: the login limit is a site setting (authRatePerMinute)', async (t) => {
  const database = await freshDatabase(t);
  const app = await buildApp(settingsFor(database, { authRatePerMinute: 3 }), { logger: false });
  t.after(() => app.close());
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { email: 'x@example.com', password: 'whatever-it-is' },
    });
    statuses.push(r.statusCode);
  }
  assert.deepEqual(statuses, [401, 401, 401, 429]);
});

test('request ids: a valid incoming x-request-id is echoed, an invalid one replaced', async (t) => {
  const { app } = await build(t);
  const kept = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
  assert.equal(kept.headers['x-request-id'], 'abc-123');
  const replaced = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id<script>' } });
  assert.match(String(replaced.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  const health = kept.json();
  assert.equal(health.status, 'ok');
  assert.equal(health.release, 'test');
});
