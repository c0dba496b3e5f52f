import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seedDemo } from '../../../src/site/seed/seed.js';
import { build } from './helper.js';

async function snapshot(app: Awaited<ReturnType<typeof build>>['app']) {
  const [users, articles, products] = await Promise.all([
    app.db
      .selectFrom('users')
      .select(['id', 'email', 'role', 'password_hash', 'updated_at'])
      .orderBy('id')
      .execute(),
    app.db.selectFrom('articles').selectAll().orderBy('id').execute(),
    app.db.selectFrom('products').selectAll().orderBy('id').execute(),
  ]);
  return { users, articles, products };
}

test('seed: loads realistic demo content, and a second run changes nothing', async (t) => {
  const { app } = await build(t);
  await seedDemo(app.db, {});
  const first = await snapshot(app);
  assert.ok(first.articles.length >= 50, `${first.articles.length} articles`);
  assert.ok(first.products.length >= 30, `${first.products.length} products`);
  for (const role of ['admin', 'editor', 'member'])
    assert.ok(
      first.users.some((u) => u.role === role),
      role,
    );
  const drafts = first.articles.filter((a) => a.status === 'draft').length;
  assert.ok(drafts > 0 && drafts < first.articles.length / 2, `${drafts} drafts`);
  const months = new Set(
    first.articles.map((a) => a.published_at?.toISOString().slice(0, 7)).filter(Boolean),
  );
  assert.ok(months.size >= 4, `dates spread over ${months.size} months`);
  assert.ok(new Set(first.products.map((p) => p.currency)).size >= 2, 'more than one currency');

  await seedDemo(app.db, {});
  assert.deepEqual(await snapshot(app), first, 'same rows, same values, same timestamps');
});

test('seed: demo accounts cannot log in unless WEBSTACK_DEMO_PASSWORD is set', async (t) => {
  const { app } = await build(t);
  const login = (password: string) =>
    app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: 'editor@foobar.com', password } });

  await seedDemo(app.db, {});
  assert.equal((await login('correct horse battery staple')).statusCode, 401);

  await seedDemo(app.db, { WEBSTACK_DEMO_PASSWORD: 'correct horse battery staple' });
  assert.equal((await login('correct horse battery staple')).statusCode, 200);
});

test('seed: the seeded site renders its pages', async (t) => {
  const { app } = await build(t);
  await seedDemo(app.db, {});
  const home = await app.inject({ url: '/' });
  assert.equal(home.statusCode, 200);
  assert.equal((home.body.match(/class="article-card"/g) ?? []).length, 5);
  assert.equal((home.body.match(/class="product-card"/g) ?? []).length, 6);
  const second = await app.inject({ url: '/articles?page=2' });
  assert.equal(second.statusCode, 200);
  assert.match(second.body, /Page 2 of \d/);
  assert.equal((await app.inject({ url: '/products/oak-desk-organiser' })).statusCode, 200);
});
