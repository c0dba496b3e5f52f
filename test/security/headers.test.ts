/**
 * The security headers on every kind of answer, through a real nginx in front of the real site
 * (real MariaDB): pages, assets, uploads, redirects, the site's errors and nginx's own 404/405/413/429/502.
 * Then the MDN HTTP Observatory's scoring (./observatory.ts) applied to the real responses.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { App } from '../../src/site/app.js';
import { CONTENT_SECURITY_POLICY } from '../../src/stack/components/nginx/conf.js';
import { build } from '../integration/site/helper.js';
import { freePort, httpRequest, startTestNginx, type TestNginx } from '../support/nginx.js';
import { grade } from './observatory.js';

let app: App;
let nginx: TestNginx;
let port: number;
let cleanups: (() => Promise<unknown>)[] = [];
const UPLOAD = '0123456789abcdef0123456789abcdef.png';

before(async () => {
  // build(t) wants a test context: hand it one whose after() runs at the end of this file.
  const fake = { after: (fn: () => Promise<unknown>) => cleanups.push(fn) } as never;
  ({ app } = await build(fake));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  assert.ok(address !== null && typeof address === 'object');
  nginx = await startTestNginx({ upstreamPort: address.port, clientMaxBodyBytes: 64 * 1024 });
  port = nginx.port;
  await writeFile(join(nginx.options.assetsDir, 'site.css'), 'body { color: black; }\n');
  const png = Buffer.from('89504e470d0a1a0a', 'hex');
  await app.db
    .insertInto('uploads')
    .values({
      name: UPLOAD,
      content_type: 'image/png',
      byte_length: png.length,
      sha256: 'ab'.repeat(32),
      data: png,
    })
    .execute();
});

after(async () => {
  await nginx?.stop();
  for (const fn of cleanups.reverse()) await fn();
  cleanups = [];
});

const get = (path: string, extra: Partial<Parameters<typeof httpRequest>[0]> = {}) =>
  httpRequest({ port, path, ...extra });

function assertSecurityHeaders(
  headers: IncomingHttpHeaders,
  what: string,
  csp = CONTENT_SECURITY_POLICY,
  body = '',
): void {
  assert.equal(headers['content-security-policy'], csp, `${what}: CSP`);
  assert.equal(headers['x-content-type-options'], 'nosniff', `${what}: nosniff`);
  assert.equal(headers['x-frame-options'], 'DENY', `${what}: X-Frame-Options`);
  assert.equal(headers['referrer-policy'], 'strict-origin-when-cross-origin', `${what}: Referrer-Policy`);
  assert.equal(headers['cross-origin-resource-policy'], 'same-origin', `${what}: CORP`);
  assert.equal(headers['cross-origin-opener-policy'], 'same-origin', `${what}: COOP`);
  assert.equal(headers.server, 'nginx', `${what}: no version in Server`);
  assert.equal(headers['x-powered-by'], undefined, `${what}: no X-Powered-By`);
  const type = headers['content-type'];
  // nginx's charset filter deliberately skips 301/302 (its redirect stub is plain ASCII).
  const redirectStub = /^<html>\r?\n<head><title>30[12] /;
  if (type && !redirectStub.test(body) && /^(text\/|application\/(json|javascript|atom))/.test(type))
    assert.match(type, /charset=utf-8/i, `${what}: charset`);
}

test('the CSP has no unsafe source and blocks scripts, framing, plugins and <base>', () => {
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe|\*|http:/);
  for (const d of ["default-src 'none'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"])
    assert.ok(CONTENT_SECURITY_POLICY.includes(d), d);
});

test('pages, assets and uploads carry the full set', async () => {
  const page = await get('/');
  assert.equal(page.status, 200);
  assert.match(String(page.headers['content-type']), /^text\/html; charset=utf-8/i);
  assertSecurityHeaders(page.headers, 'page');
  const css = await get('/assets/site.css');
  assert.equal(css.status, 200);
  assertSecurityHeaders(css.headers, 'asset');
  const upload = await get(`/uploads/${UPLOAD}`);
  assert.equal(upload.status, 200);
  // Uploads keep their own sandboxing policy.
  assertSecurityHeaders(upload.headers, 'upload', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
});

test('redirects carry the full set: nginx (apex) and the site (login required)', async () => {
  const apex = await get('/x', { host: 'foobar.com' });
  assert.equal(apex.status, 301);
  assertSecurityHeaders(apex.headers, 'apex redirect', CONTENT_SECURITY_POLICY, apex.body);
  const account = await get('/account', { headers: { accept: 'text/html' } });
  assert.equal(account.status, 303, 'the site sends visitors to log in');
  assert.equal(account.headers.location, '/login?next=%2Faccount');
  assertSecurityHeaders(account.headers, 'site redirect');
});

test("errors carry the full set: the site's 404 and nginx's own 404, 400, 405, 413, 429", async () => {
  assertSecurityHeaders((await get('/no-such-page')).headers, 'site 404');
  const missing = await get('/assets/missing.css');
  assert.equal(missing.status, 404);
  assertSecurityHeaders(missing.headers, 'nginx 404');
  const traversal = await get('/assets/%2e%2e/secret.txt');
  assert.equal(traversal.status, 400);
  assertSecurityHeaders(traversal.headers, 'nginx 400');
  const propfind = await get('/', { method: 'PROPFIND' });
  assert.equal(propfind.status, 405);
  assertSecurityHeaders(propfind.headers, 'nginx 405');
  const big = await get('/register', { method: 'POST', body: Buffer.alloc(128 * 1024, 'a') });
  assert.equal(big.status, 413);
  assertSecurityHeaders(big.headers, 'nginx 413');
});

test('password POSTs are rate limited by nginx per client: 429, with the headers', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 30; i++) {
    const res = await get('/api/v1/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email":"a@b.c","password":"wrong-password-123"}',
    });
    statuses.push(res.status);
    if (res.status === 429) {
      assertSecurityHeaders(res.headers, 'nginx 429');
      break;
    }
  }
  assert.equal(statuses.at(-1), 429, `statuses: ${statuses.join(',')}`);
  // Pages stay reachable: only the password POSTs are limited.
  assert.equal((await get('/login')).status, 200);
});

test("nginx's own 502 page carries the full set", async () => {
  const dead = await startTestNginx({ upstreamPort: await freePort() });
  try {
    const res = await httpRequest({ port: dead.port, path: '/' });
    assert.equal(res.status, 502);
    assertSecurityHeaders(res.headers, 'nginx 502');
  } finally {
    await dead.stop();
  }
});

test('sensitive pages are never stored', async () => {
  for (const path of ['/login', '/register']) {
    const res = await get(path);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers['cache-control'], 'no-store', path);
  }
  assert.equal((await get('/account')).headers['cache-control'], 'no-store');
});

test('the MDN HTTP Observatory scoring: 100+ once HTTPS-only penalties are set aside', async () => {
  const front = await get('/');
  const login = await get('/login');
  const setCookies = [front, login].flatMap((r) => r.headers['set-cookie'] ?? []);
  assert.ok(setCookies.length > 0, 'the login form sets its CSRF cookie');
  const result = grade({ headers: front.headers, setCookies, https: false, redirectsToHttps: false });
  for (const mod of result.modifiers)
    console.log(
      `  [${String(mod.modifier).padStart(3)}] ${mod.result}${mod.httpsOnly ? ' (HTTPS only)' : ''}`,
    );
  console.log(
    `  Observatory score over HTTP: ${result.score}; without HTTPS-only penalties: ${result.scoreWithoutHttpsOnly}`,
  );
  // Over plain HTTP the only penalties allowed are those no HTTP site can avoid (HSTS, redirection, Secure cookies).
  assert.ok(
    result.modifiers.every((mod) => mod.modifier >= 0 || mod.httpsOnly),
    JSON.stringify(result.modifiers),
  );
  assert.ok(result.scoreWithoutHttpsOnly >= 100, `score ${result.scoreWithoutHttpsOnly}`);
});
