import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { httpRequest, type RawResponse, startTestNginx, type TestNginx } from '../support/nginx.js';
import { waitFor } from '../support/wait.js';

/** An upstream that numbers its answers, so a cached answer shows as a repeated number. */
async function startCountingUpstream(): Promise<{ port: number; hits: Map<string, number>; server: Server }> {
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    const n = (hits.get(url) ?? 0) + 1;
    hits.set(url, n);
    req.resume();
    req.on('end', () => {
      if (url.startsWith('/sets-cookie')) res.setHeader('set-cookie', `csrf=secret-${n}; Path=/; HttpOnly`);
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`answer ${n} for ${url}`);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, hits, server };
}

describe('nginx micro-cache (real nginx)', () => {
  let nginx: TestNginx;
  let upstream: Awaited<ReturnType<typeof startCountingUpstream>>;
  const get = (path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> =>
    httpRequest({ port: nginx.port, path, headers, method });

  before(async () => {
    upstream = await startCountingUpstream();
    nginx = await startTestNginx({ upstreamPort: upstream.port, microCache: true });
  });
  after(async () => {
    await nginx?.stop();
    upstream?.server.closeAllConnections();
    await new Promise<void>((resolve) => (upstream ? upstream.server.close(() => resolve()) : resolve()));
  });

  test('an anonymous GET is stored: the second one is a HIT with the same answer', async () => {
    const first = await get('/articles');
    const second = await get('/articles');
    assert.equal(first.headers['x-cache-status'], 'MISS');
    assert.equal(second.headers['x-cache-status'], 'HIT');
    assert.equal(second.body, first.body);
    assert.equal(upstream.hits.get('/articles'), 1);
    // The site's security headers are still there on a cached answer.
    assert.equal(second.headers['x-content-type-options'], 'nosniff');
  });

  for (const cookie of ['sid=abc', '__Host-sid=abc', 'theme=dark; csrf=xyz']) {
    test(`a request with "${cookie}" bypasses the cache and is not stored`, async () => {
      const path = `/private-${encodeURIComponent(cookie)}`;
      const personal = await get(path, { cookie });
      assert.equal(personal.headers['x-cache-status'], 'BYPASS');
      const again = await get(path, { cookie });
      assert.equal(again.headers['x-cache-status'], 'BYPASS');
      // Not stored: an anonymous visitor gets a fresh answer, not the personal one.
      const anonymous = await get(path);
      assert.equal(anonymous.headers['x-cache-status'], 'MISS');
      assert.equal(upstream.hits.get(path), 3);
    });
  }

  test('a refresh from loopback (X-Webstack-Refresh: 1) replaces the stored page at once', async () => {
    const first = await get('/refreshed');
    assert.equal((await get('/refreshed')).body, first.body);
    const refresh = await get('/refreshed', { 'x-webstack-refresh': '1' });
    assert.equal(refresh.headers['x-cache-status'], 'BYPASS');
    assert.notEqual(refresh.body, first.body);
    // The refreshed answer was stored: the next visitor gets it from the cache.
    const next = await get('/refreshed');
    assert.equal(next.headers['x-cache-status'], 'HIT');
    assert.equal(next.body, refresh.body);
    assert.equal(upstream.hits.get('/refreshed'), 2);
  });

  test('an unrelated cookie does not bypass it', async () => {
    await get('/products', { cookie: 'theme=dark' });
    assert.equal((await get('/products', { cookie: 'theme=dark' })).headers['x-cache-status'], 'HIT');
  });

  test('a response that sets a cookie is never served from the cache to another client', async () => {
    const first = await get('/sets-cookie');
    const second = await get('/sets-cookie');
    // Not stored: both go upstream.
    assert.deepEqual([first.headers['x-cache-status'], second.headers['x-cache-status']], ['MISS', 'MISS']);
    assert.deepEqual(second.headers['set-cookie'], ['csrf=secret-2; Path=/; HttpOnly']);
    assert.notEqual(second.body, first.body);
    assert.equal(upstream.hits.get('/sets-cookie'), 2);
  });

  test('account, admin, login, register, edit pages and bearer requests are never cached', async () => {
    for (const path of ['/login', '/register', '/account', '/admin/status', '/articles/x/edit']) {
      await get(path);
      const again = await get(path);
      assert.equal(again.headers['x-cache-status'], 'BYPASS', path);
      assert.equal(upstream.hits.get(path), 2, path);
    }
    await get('/api/v1/articles?limit=1', { authorization: 'Bearer t' });
    const bearer = await get('/api/v1/articles?limit=1', { authorization: 'Bearer t' });
    assert.equal(bearer.headers['x-cache-status'], 'BYPASS');
  });

  test('API writes are never cached', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await get('/api/v1/articles', { 'content-type': 'application/json' }, 'POST');
      // POST is not a cache method: nginx does not even look the request up (no status at all).
      assert.equal(r.status, 200);
      assert.equal(r.headers['x-cache-status'], undefined);
    }
    assert.equal(upstream.hits.get('/api/v1/articles'), 2);
  });

  test('a change is visible once the entry expires (MICRO_CACHE_SECONDS): a later request is a MISS', async () => {
    const first = await get('/home-page');
    assert.equal((await get('/home-page')).headers['x-cache-status'], 'HIT');
    // The entry is valid MICRO_CACHE_SECONDS (10 s, the default), then the next request goes upstream.
    const fresh = await waitFor(
      async () => {
        const r = await get('/home-page');
        return r.headers['x-cache-status'] !== 'HIT' && r;
      },
      { what: 'the cached entry to expire', timeoutMs: 30_000 },
    );
    // Still stored (inactive=60s keeps it), so nginx refreshes it in place: EXPIRED, not MISS.
    assert.equal(fresh.headers['x-cache-status'], 'EXPIRED');
    assert.notEqual(fresh.body, first.body);
  });
});
