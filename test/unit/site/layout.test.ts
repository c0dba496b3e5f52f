import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { assetUrl, loadAssetManifest } from '../../../src/site/views/assets.js';
import { Layout } from '../../../src/site/views/layout.js';

test('layout: landmarks, skip link, escaped user name, logout as a POST form', async () => {
  const html = await Layout({
    title: '<T>',
    context: {
      user: { id: 1, displayName: '<script>x</script>', role: 'member' },
      csrfToken: 'tok"en',
      path: '/articles/x',
    },
    children: '<p>body</p>',
  });
  assert.match(html, /^<!doctype html><html lang="en">/);
  assert.match(html, /<a class="skip-link" href="#main">/);
  assert.match(html, /<main id="main"/);
  assert.doesNotMatch(html, /<script>/);
  assert.match(html, /<title>&lt;T> · foobar.com<\/title>/);
  assert.match(html, /<form method="post" action="\/logout"/);
  assert.match(html, /name="_csrf" value="tok&#34;en"/);
  assert.match(html, /<a href="\/articles" aria-current="page">/);
});

test('layout: visitors see log in and register', async () => {
  const html = await Layout({ title: 'Home', context: { user: null, csrfToken: '', path: '/' } });
  assert.match(html, /href="\/login"/);
  assert.match(html, /href="\/register"/);
  assert.doesNotMatch(html, /\/logout/);
});

test('assets: hashed names from the manifest, plain names without one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'assets-'));
  try {
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ 'site.css': 'site.3f2a1b.css' }));
    loadAssetManifest(dir);
    assert.equal(assetUrl('site.css'), '/assets/site.3f2a1b.css');
    loadAssetManifest(join(dir, 'missing'));
    assert.equal(assetUrl('site.css'), '/assets/site.css');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
