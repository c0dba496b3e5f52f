import assert from 'node:assert/strict';
import { test } from 'node:test';
import { build } from './helper.js';
import { signInEveryone } from './roles.js';

test('home, feed, sitemap and robots list published content only, escaped', async (t) => {
  const { app } = await build(t);
  const { editor, admin } = await signInEveryone(app);
  const post = (json: unknown) =>
    editor.browser.request({
      method: 'POST',
      url: '/api/v1/articles',
      json,
      headers: { 'x-csrf-token': editor.csrf },
    });
  assert.equal(
    (await post({ title: 'Fish & Chips <b>"quoted"</b>', body: 'Tasty & <i>hot</i>', status: 'published' }))
      .statusCode,
    201,
  );
  assert.equal((await post({ title: 'Hidden draft', body: 'x' })).statusCode, 201);
  const product = await admin.browser.request({
    method: 'POST',
    url: '/api/v1/products',
    json: { name: 'Teapot', priceCents: 2500, currency: 'USD', stock: 3 },
    headers: { 'x-csrf-token': admin.csrf },
  });
  assert.equal(product.statusCode, 201);

  const home = await app.inject({ url: '/' });
  assert.equal(home.statusCode, 200);
  assert.match(home.body, /Fish &amp; Chips &lt;b>/);
  assert.match(home.body, /href="\/products\/teapot"/);
  assert.match(home.body, /\$25\.00/);
  assert.doesNotMatch(home.body, /Hidden draft/);
  assert.doesNotMatch(home.body, /<script|style=/, 'no inline scripts or styles');

  const feed = await app.inject({ url: '/feed.xml' });
  assert.equal(feed.statusCode, 200);
  assert.match(String(feed.headers['content-type']), /^application\/atom\+xml/);
  assert.match(
    feed.body,
    /<title type="text">Fish &amp; Chips &lt;b&gt;&quot;quoted&quot;&lt;\/b&gt;<\/title>/,
  );
  assert.match(
    feed.body,
    /<link rel="alternate" type="text\/html" href="http:\/\/www.foobar.com\/articles\/fish-chips-b-quoted-b"\/>/,
  );
  assert.doesNotMatch(feed.body, /Hidden draft/);
  assert.doesNotMatch(feed.body, /<b>|<i>/, 'markup inside the feed is escaped');

  const sitemap = await app.inject({ url: '/sitemap.xml' });
  assert.equal(sitemap.statusCode, 200);
  assert.match(sitemap.body, /<loc>http:\/\/www.foobar.com\/articles\/fish-chips-b-quoted-b<\/loc>/);
  assert.match(sitemap.body, /<loc>http:\/\/www.foobar.com\/products\/teapot<\/loc>/);
  assert.doesNotMatch(sitemap.body, /hidden-draft/);

  const robots = await app.inject({ url: '/robots.txt' });
  assert.equal(robots.statusCode, 200);
  assert.match(robots.body, /^Sitemap: http:\/\/www.foobar.com\/sitemap.xml$/m);
});
