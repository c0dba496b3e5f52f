/**
 * Uploads kept in MariaDB: served by the site from the table with immutable caching, and the
 * files an older release left on disk moved into the table once.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { importLegacyUploads } from '../../../src/site/modules/uploads/uploads.legacy.js';
import { build } from './helper.js';

// A valid 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const SHA = createHash('sha256').update(PNG).digest('hex');
const NAME = '0123456789abcdef0123456789abcdef.png';

async function withUpload(t: TestContext) {
  const { app } = await build(t);
  await app.db
    .insertInto('uploads')
    .values({ name: NAME, content_type: 'image/png', byte_length: PNG.length, sha256: SHA, data: PNG })
    .execute();
  return app;
}

test('uploads: served from the table with type, length, immutable caching, the sha256 as ETag, nosniff', async (t) => {
  const app = await withUpload(t);
  const res = await app.inject({ url: `/uploads/${NAME}`, headers: { cookie: 'sid=whatever' } });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.rawPayload, PNG);
  assert.equal(res.headers['content-type'], 'image/png');
  assert.equal(res.headers['content-length'], String(PNG.length));
  assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal(res.headers.etag, `"${SHA}"`);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.match(String(res.headers['content-security-policy']), /sandbox/);
  assert.equal(res.headers['set-cookie'], undefined, 'nothing that would keep Nginx from caching it');

  const head = await app.inject({ method: 'HEAD', url: `/uploads/${NAME}` });
  assert.deepEqual(
    [head.statusCode, head.headers['content-length'], head.body],
    [200, String(PNG.length), ''],
  );

  const again = await app.inject({ url: `/uploads/${NAME}`, headers: { 'if-none-match': `"${SHA}"` } });
  assert.deepEqual([again.statusCode, again.body, again.headers.etag], [304, '', `"${SHA}"`]);
});

test('uploads: an unknown or malformed name is the 404 page', async (t) => {
  const app = await withUpload(t);
  for (const name of [
    'ffffffffffffffffffffffffffffffff.png',
    '0123456789ABCDEF0123456789ABCDEF.png',
    '0123456789abcdef0123456789abcdef.svg',
    'photo.png',
  ]) {
    const res = await app.inject({ url: `/uploads/${name}`, headers: { accept: 'text/html' } });
    assert.equal(res.statusCode, 404, name);
    assert.match(String(res.headers['content-type']), /^text\/html/, name);
    assert.equal(res.headers['cache-control']?.includes('immutable') ?? false, false, name);
  }
});

test('uploads: files an older release left on disk are moved into the table once', async (t) => {
  const { app } = await build(t);
  const dir = await mkdtemp(join(tmpdir(), 'legacy-uploads-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, NAME), PNG);
  const bogus = 'fedcba9876543210fedcba9876543210.png';
  await writeFile(join(dir, bogus), 'not a png at all');
  await writeFile(join(dir, 'notes.txt'), 'not ours');
  // A dead worker's staging files: an old one is swept, a fresh one may belong to a live request.
  await writeFile(join(dir, '.upload-old'), 'x');
  await utimes(join(dir, '.upload-old'), new Date(0), new Date(0));
  await writeFile(join(dir, '.upload-new'), 'x');

  const first = await importLegacyUploads(app.db, dir);
  assert.deepEqual(first, { imported: 1, alreadyThere: 0, kept: [bogus] });
  assert.deepEqual((await readdir(dir)).sort(), ['.upload-new', bogus, 'notes.txt']);
  const res = await app.inject({ url: `/uploads/${NAME}` });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.rawPayload, PNG);
  assert.equal(res.headers.etag, `"${SHA}"`);

  // Again: nothing to do. And a file whose row is already there (an interrupted run) just goes.
  assert.deepEqual(await importLegacyUploads(app.db, dir), { imported: 0, alreadyThere: 0, kept: [bogus] });
  await writeFile(join(dir, NAME), PNG);
  assert.deepEqual(await importLegacyUploads(app.db, dir), { imported: 0, alreadyThere: 1, kept: [bogus] });
  const rows = await app.db.selectFrom('uploads').select('name').execute();
  assert.deepEqual(
    rows.map((r) => r.name),
    [NAME],
  );
  // No directory at all (a fresh server): nothing to import.
  assert.deepEqual(await importLegacyUploads(app.db, join(dir, 'absent')), {
    imported: 0,
    alreadyThere: 0,
    kept: [],
  });
});
