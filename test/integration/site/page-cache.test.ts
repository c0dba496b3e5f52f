import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildApp } from '../../../src/site/app.js';
import { pagesChangedBy } from '../../../src/site/plugins/page-cache.js';
import { freePort, httpRequest, startTestNginx } from '../../support/nginx.js';
import { freshDatabase, settingsFor } from './helper.js';
import { signIn } from './roles.js';

test('pages a write changes: the item, its lists, home, feed and sitemap, and their API twins', () => {
  assert.deepEqual(pagesChangedBy('/api/v1/articles/:slug', 'hello'), [
    '/',
    '/articles',
    '/api/v1/articles',
    '/sitemap.xml',
    '/feed.xml',
    '/articles/hello',
    '/api/v1/articles/hello',
  ]);
  assert.deepEqual(pagesChangedBy('/products', undefined), [
    '/',
    '/products',
    '/api/v1/products',
    '/sitemap.xml',
  ]);
  assert.deepEqual(pagesChangedBy('/api/v1/session', undefined), []);
});

test('refresh on write: after an edit, the next anonymous GET through the micro-cache shows the new title', async (t) => {
  const database = await freshDatabase(t);
  const appPort = await freePort();
  const nginx = await startTestNginx({ upstreamPort: appPort, microCache: true });
  t.after(() => nginx.stop());
  const app = await buildApp(
    settingsFor(database, { cacheRefreshOrigins: [`http://127.0.0.1:${nginx.port}`], port: appPort }),
    { logger: false },
  );
  t.after(() => app.close());
  await app.listen({ host: '127.0.0.1', port: appPort });
  const editor = await signIn(app, 'editor');
  const created = await editor.browser.request({
    method: 'POST',
    url: '/api/v1/articles',
    headers: { 'x-csrf-token': editor.csrf },
    json: { title: 'The old title', body: 'Some words.', status: 'published' },
  });
  assert.equal(created.statusCode, 201);
  const { slug } = created.json() as { slug: string };
  const visit = (path: string) => httpRequest({ port: nginx.port, path });

  for (const path of [`/articles/${slug}`, '/articles', '/']) {
    await visit(path);
    const cached = await visit(path);
    assert.equal(cached.headers['x-cache-status'], 'HIT', path);
    assert.match(cached.body, /The old title/, path);
  }
  const edited = await editor.browser.request({
    method: 'PATCH',
    url: `/api/v1/articles/${slug}`,
    headers: { 'x-csrf-token': editor.csrf },
    json: { title: 'The new title' },
  });
  assert.equal(edited.statusCode, 200);
  for (const path of [`/articles/${slug}`, '/articles', '/']) {
    const next = await visit(path);
    assert.equal(next.headers['x-cache-status'], 'HIT', path);
    assert.match(next.body, /The new title/, path);
    assert.doesNotMatch(next.body, /The old title/, path);
  }
});
