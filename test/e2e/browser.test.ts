import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { launchBrowser, SCREENSHOTS_DIR, type TestBrowser } from '../support/browser.js';
import { createTestStack, type TestStack } from '../support/stack.js';

/**
 * A visitor in a real browser, on the real stack (Nginx → application server → MariaDB), reaching
 * the site by name: registers, is made an editor by the operator, writes and publishes an article
 * and finds it on the home page. Screenshots of the main pages are kept as test artifacts.
 */
let stack: TestStack;
let browser: TestBrowser;
let page: Page;
let origin: string;

before(async () => {
  stack = await createTestStack();
  const up = await stack.up();
  assert.equal(up.code, 0, up.stderr + up.stdout);
  origin = `http://www.foobar.com:${stack.httpPort}`;
  browser = await launchBrowser();
  page = await browser.browser.newPage({ viewport: { width: 1280, height: 900 } });
});

after(async () => {
  await browser?.close();
  await stack?.destroy();
});

const email = `writer-${Date.now()}@example.com`;
const title = `Field notes from the browser ${Date.now()}`;

test('a visitor registers and is logged in', async () => {
  await page.goto(`${origin}/register`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Display name').fill('Browser Writer');
  await page.getByLabel(/^Password/).fill('correct horse battery staple 42');
  await page.getByRole('button', { name: 'Register' }).click();
  await page.waitForURL(`${origin}/account`);
  assert.ok(await page.getByRole('button', { name: /log out/i }).isVisible());
});

test('a member cannot write articles', async () => {
  const response = await page.goto(`${origin}/articles/new`);
  assert.equal(response?.status(), 403);
});

test('made editor by the operator, the visitor writes and publishes an article', async () => {
  const role = await stack.run(['user', 'role', '--email', email, '--role', 'editor']);
  assert.equal(role.code, 0, role.stderr);
  await page.goto(`${origin}/articles/new`);
  await page.getByLabel('Title').fill(title);
  await page
    .getByLabel('Body')
    .fill('Written in **Chromium**, stored in MariaDB.\n\n<script>alert(1)</script>');
  await page.getByLabel('Published').check();
  await page.getByRole('button', { name: 'Create article' }).click();
  await page.waitForURL(/\/articles\/field-notes-from-the-browser-/);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), title);
  assert.equal(await page.locator('main strong', { hasText: 'Chromium' }).count(), 1, 'Markdown rendered');
  assert.equal(await page.locator('main script').count(), 0, 'script sanitized away');
  await page.screenshot({ path: join(SCREENSHOTS_DIR, 'article.png'), fullPage: true });
});

test('the new article is on the home page', async () => {
  await page.goto(`${origin}/`);
  assert.ok(await page.getByRole('link', { name: title }).isVisible());
  await page.screenshot({ path: join(SCREENSHOTS_DIR, 'home.png'), fullPage: true });
});

test('the product pages render, styled', async () => {
  await page.goto(`${origin}/products`);
  const first = page.locator('main a[href^="/products/"]').first();
  assert.ok(await first.isVisible());
  await page.screenshot({ path: join(SCREENSHOTS_DIR, 'products.png'), fullPage: false });
  await first.click();
  await page.waitForURL(/\/products\/[a-z0-9-]+$/);
  assert.equal(await page.getByRole('heading', { level: 1 }).count(), 1);
  // A string expression: the test is type-checked without the DOM library.
  const background = await page.evaluate('getComputedStyle(document.body).backgroundColor');
  assert.notEqual(background, 'rgba(0, 0, 0, 0)', 'the stylesheet applied');
  await page.screenshot({ path: join(SCREENSHOTS_DIR, 'product.png'), fullPage: true });
});
