import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { type App, buildApp } from '../../../src/site/app.js';
import { freshDatabase, settingsFor } from './helper.js';
import { type SignedIn, signInEveryone } from './roles.js';

// A valid 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const MAX_BYTES = 64 * 1024;

type Part = { name: string; value: string } | { name: string; filename: string; type: string; data: Buffer };

function multipart(parts: Part[]): { payload: Buffer; contentType: string } {
  const boundary = '----webstack-test-boundary';
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition =
      'filename' in part
        ? `form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.type}`
        : `form-data; name="${part.name}"`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n\r\n`));
    chunks.push('filename' in part ? part.data : Buffer.from(part.value));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function setup(t: TestContext) {
  const uploadsDir = await mkdtemp(join(tmpdir(), 'uploads-'));
  t.after(() => rm(uploadsDir, { recursive: true, force: true }));
  const database = await freshDatabase(t);
  const app = await buildApp(settingsFor(database, { uploadsDir, uploadMaxBytes: MAX_BYTES }), {
    logger: false,
  });
  t.after(() => app.close());
  await app.ready();
  return { app, uploadsDir, ...(await signInEveryone(app)) };
}

/** The uploads table, oldest first. */
async function uploadRows(app: App) {
  return await app.db
    .selectFrom('uploads')
    .select(['name', 'content_type', 'byte_length', 'sha256', 'data'])
    .orderBy('id')
    .execute();
}

/** What stays behind once a request ends: the rows, and the staging directory (always empty). */
async function stored(app: App, uploadsDir: string) {
  assert.deepEqual(await readdir(uploadsDir), [], 'no file stays on disk');
  return (await uploadRows(app)).map((r) => r.name);
}

async function postForm(
  who: SignedIn,
  url: string,
  fields: Record<string, string>,
  file?: Part,
  csrf = true,
) {
  const token = csrf ? await who.browser.csrfFrom('/products/new') : undefined;
  const parts: Part[] = [
    ...(token ? [{ name: '_csrf', value: token }] : []),
    ...Object.entries(fields).map(([name, value]) => ({ name, value })),
    ...(file ? [file] : []),
  ];
  const { payload, contentType } = multipart(parts);
  return who.app.inject({
    method: 'POST',
    url,
    payload,
    headers: { 'content-type': contentType, cookie: who.browser.cookieHeader },
  });
}

const LAMP = { name: 'Desk Lamp', description: 'Warm light.', price: '49.90', currency: 'EUR', stock: '7' };

test('products: an admin creates a product with an image; everyone can see it', async (t) => {
  const { app, admin, visitor, uploadsDir } = await setup(t);
  const created = await postForm(admin, '/products', LAMP, {
    name: 'image',
    filename: 'lamp.png',
    type: 'image/png',
    data: PNG,
  });
  assert.equal(created.statusCode, 303, created.body);
  assert.equal(created.headers.location, '/products/desk-lamp');

  assert.deepEqual(await readdir(uploadsDir), [], 'the bytes are in the database, not on this host');
  const rows = await uploadRows(app);
  assert.equal(rows.length, 1);
  const [row] = rows;
  assert.match(row?.name ?? '', /^[0-9a-f]{32}\.png$/, 'a generated name, the type from the content');
  assert.deepEqual(
    [row?.content_type, row?.byte_length, row?.sha256, row?.data],
    ['image/png', PNG.length, createHash('sha256').update(PNG).digest('hex'), PNG],
  );
  const name = row?.name ?? '';

  const page = await visitor.browser.request({ url: '/products/desk-lamp' });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, new RegExp(`<img src="/uploads/${name}"`));
  assert.match(page.body, /€49\.90/);
  const json = (await visitor.browser.request({ url: '/api/v1/products/desk-lamp' })).json() as Record<
    string,
    unknown
  >;
  assert.equal(json.priceCents, 4990);
  assert.equal(json.imageUrl, `/uploads/${name}`);
  const image = await visitor.browser.request({ url: `/uploads/${name}` });
  assert.equal(image.statusCode, 200);
  assert.deepEqual(image.rawPayload, PNG);

  const token = await admin.browser.csrfFrom('/products/desk-lamp/edit');
  const deleted = await admin.browser.request({
    method: 'POST',
    url: '/products/desk-lamp/delete',
    form: { _csrf: token },
  });
  assert.equal(deleted.statusCode, 303);
  assert.deepEqual(await stored(app, uploadsDir), [], 'the image goes with the product');
  assert.equal((await visitor.browser.request({ url: `/uploads/${name}` })).statusCode, 404);
});

test('products: only admins may create, edit or delete', async (t) => {
  const { app, editor, member, visitor } = await setup(t);
  for (const who of [editor, member]) {
    assert.equal((await who.browser.request({ url: '/products/new' })).statusCode, 403);
    assert.equal((await postForm(who, '/products', LAMP)).statusCode, 403);
    const api = await who.browser.request({
      method: 'POST',
      url: '/api/v1/products',
      json: { name: 'X', priceCents: 1, currency: 'EUR' },
      headers: { 'x-csrf-token': who.csrf },
    });
    assert.equal(api.statusCode, 403);
  }
  const anonymous = await visitor.browser.request({
    method: 'POST',
    url: '/api/v1/products',
    json: { name: 'X', priceCents: 1, currency: 'EUR' },
  });
  assert.equal(anonymous.statusCode, 401);
  assert.equal((await app.inject({ url: '/api/v1/products' })).json().items.length, 0);
});

test('products: a renamed non-image is refused and nothing is stored', async (t) => {
  const { app, admin, uploadsDir, visitor } = await setup(t);
  const fake = {
    name: 'image',
    filename: 'photo.png',
    type: 'image/png',
    data: Buffer.from('<?php echo "hi"; ?>\n'),
  };
  const response = await postForm(admin, '/products', LAMP, fake);
  assert.equal(response.statusCode, 400);
  assert.match(response.body, /PNG, JPEG, WebP or GIF/);
  assert.match(response.body, /value="Desk Lamp"/, 'the form keeps what was typed');
  assert.deepEqual(await stored(app, uploadsDir), []);
  assert.equal((await visitor.browser.request({ url: '/products/desk-lamp' })).statusCode, 404);
});

test('products: a file over the size limit gets 413 and nothing is stored', async (t) => {
  const { app, admin, uploadsDir } = await setup(t);
  const big = Buffer.concat([PNG, Buffer.alloc(MAX_BYTES * 2)]);
  const response = await postForm(admin, '/products', LAMP, {
    name: 'image',
    filename: 'big.png',
    type: 'image/png',
    data: big,
  });
  assert.equal(response.statusCode, 413);
  assert.deepEqual(await stored(app, uploadsDir), []);
  assert.equal((await app.inject({ url: '/api/v1/products' })).json().items.length, 0);
});

test('products: a multipart form without the CSRF token stores nothing', async (t) => {
  const { app, admin, uploadsDir } = await setup(t);
  const file: Part = { name: 'image', filename: 'lamp.png', type: 'image/png', data: PNG };
  const response = await postForm(admin, '/products', LAMP, file, false);
  assert.equal(response.statusCode, 403);
  assert.deepEqual(await stored(app, uploadsDir), []);
});

test('products: invalid fields come back as field errors; negative stock never reaches the table', async (t) => {
  const { admin } = await setup(t);
  const response = await postForm(admin, '/products', { ...LAMP, price: '-3', stock: '-1', currency: 'XXX' });
  assert.equal(response.statusCode, 400);
  assert.match(response.body, /Price must be/);
  assert.match(response.body, /Stock must be/);
  assert.match(response.body, /Currency must be/);
  const api = await admin.browser.request({
    method: 'POST',
    url: '/api/v1/products',
    json: { name: 'Lamp', priceCents: 100, currency: 'EUR', stock: -1 },
    headers: { 'x-csrf-token': admin.csrf },
  });
  assert.equal(api.statusCode, 400);
  assert.match(String(api.headers['content-type']), /application\/problem\+json/);
  const problem = api.json() as { errors?: { field: string }[] };
  assert.ok(
    problem.errors?.some((e) => e.field === 'stock'),
    JSON.stringify(problem),
  );
});

test('products: XSS in names and descriptions is escaped', async (t) => {
  const { admin, visitor } = await setup(t);
  const name = '<script>alert(1)</script> Lamp';
  const created = await postForm(admin, '/products', {
    ...LAMP,
    name,
    description: '<img src=x onerror=alert(1)>',
  });
  assert.equal(created.statusCode, 303);
  for (const url of [String(created.headers.location), '/products', '/']) {
    // Quoted attribute values cannot open a tag; look at the markup outside them.
    const html = (await visitor.browser.request({ url })).body.replace(/="[^"]*"/g, '=""');
    assert.doesNotMatch(html, /<script>alert/, url);
    assert.doesNotMatch(html, /<img src=x/, url);
  }
});

test('products: a new image replaces the old one, and "remove" deletes it', async (t) => {
  const { app, admin, uploadsDir } = await setup(t);
  const png = (filename: string): Part => ({ name: 'image', filename, type: 'image/png', data: PNG });
  assert.equal((await postForm(admin, '/products', LAMP, png('a.png'))).statusCode, 303);
  const [first] = await stored(app, uploadsDir);

  const replaced = await postForm(admin, '/products/desk-lamp/edit', { ...LAMP, stock: '3' }, png('b.png'));
  assert.equal(replaced.statusCode, 303);
  const after = await stored(app, uploadsDir);
  assert.equal(after.length, 1);
  assert.notEqual(after[0], first, 'the old one is gone, the new one has a new name');

  // What a browser sends when no file is chosen: an empty file part.
  const empty: Part = {
    name: 'image',
    filename: '',
    type: 'application/octet-stream',
    data: Buffer.alloc(0),
  };
  const kept = await postForm(admin, '/products/desk-lamp/edit', { ...LAMP, stock: '2' }, empty);
  assert.equal(kept.statusCode, 303);
  assert.deepEqual(await stored(app, uploadsDir), after, 'no file chosen: the image stays');

  const removed = await postForm(admin, '/products/desk-lamp/edit', { ...LAMP, remove_image: '1' });
  assert.equal(removed.statusCode, 303);
  assert.deepEqual(await stored(app, uploadsDir), []);
  const json = (await admin.app.inject({ url: '/api/v1/products/desk-lamp' })).json() as {
    imageUrl: unknown;
  };
  assert.equal(json.imageUrl, null);
});

test('products: a refused edit keeps the old image and stores no new one', async (t) => {
  const { app, admin, uploadsDir } = await setup(t);
  const png: Part = { name: 'image', filename: 'a.png', type: 'image/png', data: PNG };
  assert.equal((await postForm(admin, '/products', LAMP, png)).statusCode, 303);
  const before = await stored(app, uploadsDir);
  const refused = await postForm(admin, '/products/desk-lamp/edit', { ...LAMP, price: 'free' }, png);
  assert.equal(refused.statusCode, 400);
  assert.deepEqual(await stored(app, uploadsDir), before);
});
