import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seedDemo } from '../../../src/site/seed/seed.js';
import { build } from './helper.js';
import { signInEveryone } from './roles.js';

type Page = { items: { slug: string; publishedAt: string | null }[]; nextCursor: string | null };

test('api: cursor pagination walks every published article once, in a stable order', async (t) => {
  const { app } = await build(t);
  await seedDemo(app.db, {});
  const published = await app.db
    .selectFrom('articles')
    .select('slug')
    .where('status', '=', 'published')
    .orderBy('published_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 20; i++) {
    const query: string = cursor ? `?limit=7&cursor=${cursor}` : '?limit=7';
    const response = await app.inject({ url: `/api/v1/articles${query}` });
    assert.equal(response.statusCode, 200);
    const page = response.json() as Page;
    assert.ok(page.items.length <= 7);
    seen.push(...page.items.map((a) => a.slug));
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  assert.deepEqual(
    seen,
    published.map((r) => r.slug),
  );

  const products = (await app.inject({ url: '/api/v1/products?limit=100' })).json() as Page;
  assert.ok(products.items.length >= 30);
  assert.equal(products.nextCursor, null);
});

test('api: bad limits and cursors get 400 problem+json naming the field, never 500', async (t) => {
  const { app } = await build(t);
  const huge = 'A'.repeat(5000);
  const forged = Buffer.from('[1,"x"]').toString('base64url');
  for (const path of ['/api/v1/articles', '/api/v1/products']) {
    for (const query of [
      'limit=0',
      'limit=-5',
      'limit=101',
      'limit=99999999999999999999',
      'limit=abc',
      `cursor=${huge}`,
      'cursor=%%%',
      `cursor=${forged}`,
      'cursor=',
      'unknown=1',
    ]) {
      const response = await app.inject({ url: `${path}?${query}` });
      assert.equal(response.statusCode, 400, `${path}?${query.slice(0, 30)}: ${response.body.slice(0, 200)}`);
      assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
      const problem = response.json() as { status: number; errors?: { field: string }[] };
      assert.equal(problem.status, 400);
      assert.ok((problem.errors?.length ?? 0) > 0, `${query}: field detail in ${response.body}`);
    }
  }
});

test('api: schema errors in bodies are 400 with field detail', async (t) => {
  const { app } = await build(t);
  const { editor, admin } = await signInEveryone(app);
  const cases: [typeof editor, string, unknown, string][] = [
    [editor, '/api/v1/articles', { body: 'no title' }, 'title'],
    [editor, '/api/v1/articles', { title: 'x', body: 'y', status: 'live' }, 'status'],
    [editor, '/api/v1/articles', { title: 'x', body: 'y', admin: true }, ''],
    [admin, '/api/v1/products', { name: 'x', priceCents: -1, currency: 'EUR' }, 'priceCents'],
    [admin, '/api/v1/products', { name: 'x', priceCents: 1.5, currency: 'EUR' }, 'priceCents'],
    [admin, '/api/v1/products', { name: 'x', priceCents: 100, currency: 'BTC' }, 'currency'],
  ];
  for (const [who, url, json, field] of cases) {
    const response = await who.browser.request({
      method: 'POST',
      url,
      json,
      headers: { 'x-csrf-token': who.csrf },
    });
    assert.equal(response.statusCode, 400, JSON.stringify(json));
    const problem = response.json() as { errors?: { field: string }[] };
    assert.ok(problem.errors && problem.errors.length > 0, response.body);
    if (field)
      assert.ok(
        problem.errors.some((e) => e.field === field),
        `${field} in ${response.body}`,
      );
  }
  const malformed = await editor.browser.request({
    method: 'POST',
    url: '/api/v1/articles',
    headers: { 'x-csrf-token': editor.csrf, 'content-type': 'application/json' },
  });
  assert.equal(malformed.statusCode, 400);
});

test('api: a cookie session must send x-csrf-token to write', async (t) => {
  const { app } = await build(t);
  const { editor } = await signInEveryone(app);
  const response = await editor.browser.request({
    method: 'POST',
    url: '/api/v1/articles',
    json: { title: 'x', body: 'y' },
  });
  assert.equal(response.statusCode, 403);
  assert.equal((await app.inject({ url: '/api/v1/articles' })).json().items.length, 0);
});

test('api: the permission matrix for articles', async (t) => {
  const { app } = await build(t);
  const { admin, editor, otherEditor, member, visitor } = await signInEveryone(app);
  const call = (who: typeof editor, method: 'POST' | 'PATCH' | 'DELETE', url: string, json?: unknown) =>
    who.browser.request({ method, url, json, headers: who.csrf ? { 'x-csrf-token': who.csrf } : {} });

  assert.equal((await call(visitor, 'POST', '/api/v1/articles', { title: 'v', body: 'v' })).statusCode, 401);
  assert.equal((await call(member, 'POST', '/api/v1/articles', { title: 'm', body: 'm' })).statusCode, 403);
  assert.equal(
    (await call(editor, 'POST', '/api/v1/articles', { title: 'Mine', body: 'b', status: 'published' }))
      .statusCode,
    201,
  );
  assert.equal(
    (await call(otherEditor, 'PATCH', '/api/v1/articles/mine', { title: 'Theirs' })).statusCode,
    403,
  );
  assert.equal((await call(otherEditor, 'DELETE', '/api/v1/articles/mine')).statusCode, 403);
  assert.equal((await call(member, 'DELETE', '/api/v1/articles/mine')).statusCode, 403);
  assert.equal((await call(editor, 'PATCH', '/api/v1/articles/mine', { body: 'edited' })).statusCode, 200);
  assert.equal((await call(admin, 'DELETE', '/api/v1/articles/mine')).statusCode, 204);
  assert.equal((await app.inject({ url: '/api/v1/articles/mine' })).statusCode, 404);
});

test('api: GETs carry an ETag and answer 304 to a matching If-None-Match', async (t) => {
  const { app } = await build(t);
  const { editor } = await signInEveryone(app);
  await editor.browser.request({
    method: 'POST',
    url: '/api/v1/articles',
    json: { title: 'Cached', body: 'b', status: 'published' },
    headers: { 'x-csrf-token': editor.csrf },
  });
  for (const url of ['/api/v1/articles', '/api/v1/articles/cached', '/api/v1/products']) {
    const first = await app.inject({ url });
    const etag = first.headers.etag;
    assert.equal(typeof etag, 'string', url);
    const again = await app.inject({ url, headers: { 'if-none-match': String(etag) } });
    assert.equal(again.statusCode, 304, url);
    assert.equal(again.body, '');
    const other = await app.inject({ url, headers: { 'if-none-match': 'W/"something-else"' } });
    assert.equal(other.statusCode, 200);
  }
  const before = (await app.inject({ url: '/api/v1/articles/cached' })).headers.etag;
  await editor.browser.request({
    method: 'PATCH',
    url: '/api/v1/articles/cached',
    json: { body: 'changed' },
    headers: { 'x-csrf-token': editor.csrf },
  });
  const after = await app.inject({
    url: '/api/v1/articles/cached',
    headers: { 'if-none-match': String(before) },
  });
  assert.equal(after.statusCode, 200, 'a changed article does not match the old tag');
});
