import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildApp } from '../../../src/site/app.js';
import { pagesChangedBy, RefreshTargets } from '../../../src/site/plugins/page-cache.js';
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

test('an lb that takes no connection: the write still refreshes the others, and says which lb it left out', async (t) => {
  const database = await freshDatabase(t);
  const appPort = await freePort();
  const nginx = await startTestNginx({ upstreamPort: appPort, microCache: true });
  t.after(() => nginx.stop());
  const dead = await freePort(); // nothing listens there: every connection is refused
  const warnings: string[] = [];
  const app = await buildApp(
    settingsFor(database, {
      cacheRefreshOrigins: [`http://127.0.0.1:${dead}`, `http://127.0.0.1:${nginx.port}`],
      port: appPort,
    }),
    { logger: { level: 'warn', stream: { write: (line) => warnings.push(line) } } },
  );
  t.after(() => app.close());
  await app.listen({ host: '127.0.0.1', port: appPort });
  const editor = await signIn(app, 'editor');
  const write = (title: string, slug?: string) =>
    editor.browser.request({
      method: slug ? 'PATCH' : 'POST',
      url: slug ? `/api/v1/articles/${slug}` : '/api/v1/articles',
      headers: { 'x-csrf-token': editor.csrf },
      json: slug ? { title } : { title, body: 'Some words.', status: 'published' },
    });
  const created = await write('First title');
  assert.equal(created.statusCode, 201);
  const { slug } = created.json() as { slug: string };
  const visit = (path: string) => httpRequest({ port: nginx.port, path });
  await visit(`/articles/${slug}`);
  for (const title of ['Second title', 'Third title']) {
    assert.equal((await write(title, slug)).statusCode, 200);
    const page = await visit(`/articles/${slug}`);
    assert.equal(page.headers['x-cache-status'], 'HIT');
    assert.match(page.body, new RegExp(title));
  }
  const leftOut = warnings.find((line) => line.includes('left out of cache refreshes'));
  assert.match(leftOut ?? '', new RegExp(`"origin":"http://127\\.0\\.0\\.1:${dead}"`), warnings.join(''));
});

test('an Nginx that took no connection is left out of refreshes for 5 s, then tried again', () => {
  let now = 1_000_000;
  const targets = new RefreshTargets(['http://198.18.0.11', 'http://198.18.0.12'], () => now);
  const names = () => targets.up().map((url) => url.hostname);
  assert.deepEqual(names(), ['198.18.0.11', '198.18.0.12']);
  targets.down(new URL('http://198.18.0.11'));
  assert.deepEqual(names(), ['198.18.0.12']);
  now += 4_999;
  assert.deepEqual(names(), ['198.18.0.12']);
  now += 1;
  assert.deepEqual(names(), ['198.18.0.11', '198.18.0.12']);
});
