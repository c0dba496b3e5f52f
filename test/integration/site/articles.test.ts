import assert from 'node:assert/strict';
import { test } from 'node:test';
import { build } from './helper.js';
import { type SignedIn, signInEveryone } from './roles.js';

async function createViaForm(who: SignedIn, form: Record<string, string>) {
  const _csrf = await who.browser.csrfFrom('/articles/new');
  return who.browser.request({ method: 'POST', url: '/articles', form: { ...form, _csrf } });
}

test('articles: create, read, edit and delete through the HTML forms, with permissions by role', async (t) => {
  const { app } = await build(t);
  const { admin, editor, otherEditor, member, visitor } = await signInEveryone(app);

  assert.equal(
    (await member.browser.request({ url: '/articles/new' })).statusCode,
    403,
    'members cannot write',
  );
  const visitorForm = await visitor.browser.request({ url: '/articles/new' });
  assert.equal(visitorForm.statusCode, 303, 'visitors are sent to log in');
  assert.equal(visitorForm.headers.location, '/login?next=%2Farticles%2Fnew');

  const created = await createViaForm(editor, {
    title: 'Hello, Wörld!',
    body: 'First **post**.',
    status: 'published',
  });
  assert.equal(created.statusCode, 303);
  assert.equal(created.headers.location, '/articles/hello-world');

  const page = await visitor.browser.request({ url: '/articles/hello-world' });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<strong>post<\/strong>/);
  assert.doesNotMatch(page.body, /action="\/articles\/hello-world\/delete"/, 'no delete button for visitors');
  assert.match((await visitor.browser.request({ url: '/articles' })).body, /href="\/articles\/hello-world"/);

  // Another editor can neither edit nor delete it; the owner and admins can.
  const otherToken = await otherEditor.browser.csrfFrom('/articles/new');
  const otherEdit = await otherEditor.browser.request({
    method: 'POST',
    url: '/articles/hello-world/edit',
    form: { title: 'Hijacked', body: 'x', status: 'published', _csrf: otherToken },
  });
  assert.equal(otherEdit.statusCode, 403);
  const otherDelete = await otherEditor.browser.request({
    method: 'POST',
    url: '/articles/hello-world/delete',
    form: { _csrf: otherToken },
  });
  assert.equal(otherDelete.statusCode, 403);
  assert.equal((await otherEditor.browser.request({ url: '/articles/hello-world/edit' })).statusCode, 403);

  const ownerToken = await editor.browser.csrfFrom('/articles/hello-world/edit');
  const edited = await editor.browser.request({
    method: 'POST',
    url: '/articles/hello-world/edit',
    form: { title: 'A new title', body: 'Changed.', status: 'published', _csrf: ownerToken },
  });
  assert.equal(edited.statusCode, 303);
  assert.equal(edited.headers.location, '/articles/hello-world', 'a published article keeps its slug');
  assert.match((await visitor.browser.request({ url: '/articles/hello-world' })).body, /A new title/);

  const adminToken = await admin.browser.csrfFrom('/articles/new');
  const deleted = await admin.browser.request({
    method: 'POST',
    url: '/articles/hello-world/delete',
    form: { _csrf: adminToken },
  });
  assert.equal(deleted.statusCode, 303);
  assert.equal((await visitor.browser.request({ url: '/articles/hello-world' })).statusCode, 404);
});

test('articles: a form without its CSRF token is refused', async (t) => {
  const { app } = await build(t);
  const { editor } = await signInEveryone(app);
  const response = await editor.browser.request({
    method: 'POST',
    url: '/articles',
    form: { title: 'No token', body: 'x', status: 'published' },
  });
  assert.equal(response.statusCode, 403);
  assert.equal((await editor.browser.request({ url: '/articles/no-token' })).statusCode, 404);
});

test('articles: invalid forms come back with field errors and the typed values', async (t) => {
  const { app } = await build(t);
  const { editor } = await signInEveryone(app);
  const response = await createViaForm(editor, { title: '   ', body: 'kept <body>', status: 'draft' });
  assert.equal(response.statusCode, 400);
  assert.match(response.body, /Title is required/);
  assert.match(response.body, /aria-invalid="true"/);
  assert.match(response.body, /kept &lt;body>/);
});

test('articles: drafts are visible to their author and admins only', async (t) => {
  const { app } = await build(t);
  const { admin, editor, otherEditor, member, visitor } = await signInEveryone(app);
  const created = await createViaForm(editor, { title: 'Secret plans', body: 'Not yet.', status: 'draft' });
  assert.equal(created.headers.location, '/articles/secret-plans');

  assert.equal((await editor.browser.request({ url: '/articles/secret-plans' })).statusCode, 200);
  assert.equal((await admin.browser.request({ url: '/articles/secret-plans' })).statusCode, 200);
  for (const who of [otherEditor, member, visitor]) {
    assert.equal((await who.browser.request({ url: '/articles/secret-plans' })).statusCode, 404);
    assert.equal((await who.browser.request({ url: '/api/v1/articles/secret-plans' })).statusCode, 404);
    assert.doesNotMatch((await who.browser.request({ url: '/articles' })).body, /Secret plans/);
  }
  assert.match(
    (await editor.browser.request({ url: '/articles' })).body,
    /Secret plans/,
    'listed among own drafts',
  );
  assert.match((await admin.browser.request({ url: '/articles' })).body, /Secret plans/);
  const list = (await visitor.browser.request({ url: '/api/v1/articles' })).json() as { items: unknown[] };
  assert.equal(list.items.length, 0);
});

test('articles: concurrent creates of one title all succeed with distinct slugs', async (t) => {
  const { app } = await build(t);
  const { editor } = await signInEveryone(app);
  const responses = await Promise.all(
    Array.from({ length: 5 }, () =>
      editor.browser.request({
        method: 'POST',
        url: '/api/v1/articles',
        json: { title: 'Same Title', body: 'Body', status: 'published' },
        headers: { 'x-csrf-token': editor.csrf },
      }),
    ),
  );
  assert.deepEqual(
    responses.map((r) => r.statusCode),
    [201, 201, 201, 201, 201],
  );
  const slugs = responses.map((r) => (r.json() as { slug: string }).slug).sort();
  assert.deepEqual(slugs, ['same-title', 'same-title-2', 'same-title-3', 'same-title-4', 'same-title-5']);
});

test('articles: a draft follows its title until it is published, then its slug is stable', async (t) => {
  const { app } = await build(t);
  const { editor } = await signInEveryone(app);
  const write = (method: 'POST' | 'PATCH', url: string, json: unknown) =>
    editor.browser.request({ method, url, json, headers: { 'x-csrf-token': editor.csrf } });
  const draft = await write('POST', '/api/v1/articles', { title: 'Working title', body: 'x' });
  assert.equal((draft.json() as { slug: string }).slug, 'working-title');
  const renamed = await write('PATCH', '/api/v1/articles/working-title', {
    title: 'Final title',
    status: 'published',
  });
  assert.equal(renamed.statusCode, 200);
  assert.equal((renamed.json() as { slug: string }).slug, 'final-title');
  const retitled = await write('PATCH', '/api/v1/articles/final-title', {
    title: 'Changed after publishing',
  });
  assert.equal((retitled.json() as { slug: string }).slug, 'final-title');
});

test('articles: XSS in titles and bodies comes out escaped or removed', async (t) => {
  const { app } = await build(t);
  const { editor, visitor } = await signInEveryone(app);
  const title = '<script>alert("t")</script><img src=x onerror=alert(1)>';
  const body =
    'Hi <script>alert("b")</script> [x](javascript:alert(1)) <a href="https://ok.example" onclick="evil()">ok</a>';
  const created = await createViaForm(editor, { title, body, status: 'published' });
  assert.equal(created.statusCode, 303);
  const url = created.headers.location;
  assert.equal(typeof url, 'string');
  for (const page of [String(url), '/articles', '/']) {
    const html = (await visitor.browser.request({ url: page })).body;
    assert.doesNotMatch(html, /<script>alert/, page);
    assert.doesNotMatch(html, /<img src=x/, page);
    assert.doesNotMatch(html, /onclick="evil/, page);
    assert.doesNotMatch(html, /href="javascript:/i, page);
  }
  const detail = (await visitor.browser.request({ url: String(url) })).body;
  assert.match(detail, /&lt;script>alert\(&#34;t&#34;\)&lt;\/script>|&lt;script&gt;alert/);
  assert.match(detail, /<a href="https:\/\/ok.example" rel="nofollow noopener">ok<\/a>/);
});

test('articles: bad pages and slugs get 4xx, never 5xx', async (t) => {
  const { app } = await build(t);
  const { visitor } = await signInEveryone(app);
  for (const url of [
    '/articles?page=0',
    '/articles?page=-1',
    '/articles?page=abc',
    '/articles?page=99999999999',
  ]) {
    assert.equal((await visitor.browser.request({ url })).statusCode, 400, url);
  }
  assert.equal(
    (await visitor.browser.request({ url: '/articles?page=50' })).statusCode,
    200,
    'past the end: empty',
  );
  for (const [url, status] of [
    ['/articles/nope', 404],
    ["/articles/'%20OR%201=1", 404],
    [`/articles/${'a'.repeat(300)}`, 414],
    ['/articles/..%2F..%2Fetc', 404],
  ] as const)
    assert.equal((await visitor.browser.request({ url })).statusCode, status, url);
});
