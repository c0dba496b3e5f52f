import assert from 'node:assert/strict';
import { test } from 'node:test';
import { etagMatches } from '../../../src/site/modules/uploads/uploads.routes.js';
import { uploadNameOf } from '../../../src/site/modules/uploads/uploads.service.js';

test('only names this site makes are uploads', () => {
  const name = '0123456789abcdef0123456789abcdef.png';
  assert.equal(uploadNameOf(`/uploads/${name}`), name);
  for (const path of [
    null,
    name,
    '/uploads/photo.png',
    '/uploads/0123456789ABCDEF0123456789abcdef.png',
    '/uploads/0123456789abcdef0123456789abcdef.svg',
    '/uploads/../0123456789abcdef0123456789abcdef.png',
    'https://elsewhere.example/uploads/0123456789abcdef0123456789abcdef.png',
  ])
    assert.equal(uploadNameOf(path), null, String(path));
});

test('If-None-Match: a list, weak tags and * match; another tag does not', () => {
  const etag = `"${'ab'.repeat(32)}"`;
  assert.equal(etagMatches(undefined, etag), false);
  assert.equal(etagMatches(etag, etag), true);
  assert.equal(etagMatches(`"x", W/${etag}`, etag), true);
  assert.equal(etagMatches('*', etag), true);
  assert.equal(etagMatches('"other"', etag), false);
});
