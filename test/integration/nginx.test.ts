import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { renderNginxConf } from '../../src/stack/components/nginx/conf.js';
import { applyNginxConfig, nginxHealth, readPid } from '../../src/stack/components/nginx/index.js';
import { childPids } from '../../src/stack/components/nginx/process.js';
import { isWebstackError } from '../../src/stack/core/errors.js';
import { localHost } from '../../src/stack/host/index.js';
import {
  freePort,
  httpRequest,
  SECRET,
  startTestNginx,
  startTestUpstream,
  type TestNginx,
  type TestUpstream,
} from '../support/nginx.js';
import { waitFor } from '../support/wait.js';

const CSS = 'body{color:#123456}'.repeat(200);

/** Sends raw bytes; returns what the server sent back before closing (or once UNTIL matches). */
function rawExchange(port: number, data: string, until?: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(data));
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (until?.test(reply)) {
        socket.destroy();
        resolve(reply);
      }
    });
    socket.on('end', () => resolve(reply));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNRESET' ? resolve(reply) : reject(error),
    );
    socket.setTimeout(10_000, () => socket.destroy(new Error('raw exchange timed out')));
  });
}

async function writeStatic(nginx: TestNginx): Promise<void> {
  await writeFile(join(nginx.options.assetsDir, 'app.3f2a1b.css'), CSS);
  await writeFile(join(nginx.options.assetsDir, 'app.3f2a1b.css.gz'), gzipSync(CSS));
}

describe('nginx in front of the application server', () => {
  let upstream: TestUpstream;
  let nginx: TestNginx;
  before(async () => {
    upstream = await startTestUpstream();
    nginx = await startTestNginx({
      upstreamPort: upstream.port,
      clientMaxBodyBytes: 64 * 1024,
      statusPort: await freePort(),
    });
    await writeStatic(nginx);
  });
  after(async () => {
    await nginx?.stop();
    await upstream?.close();
  });

  test('www is proxied with a fresh request id that the app sees and the JSON access log records', async () => {
    const res = await httpRequest({
      port: nginx.port,
      path: '/articles?page=2',
      headers: { 'x-request-id': 'forged' },
    });
    assert.equal(res.status, 200);
    const seen = upstream.seen.find((r) => r.url === '/articles?page=2');
    assert.ok(seen, 'the upstream saw the request');
    const id = seen.headers['x-request-id'];
    assert.match(String(id), /^[0-9a-f]{32}$/);
    assert.equal(seen.headers.host, 'www.foobar.com');
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(seen.headers['x-forwarded-proto'], 'http');
    const line = await waitFor(
      async () => {
        const log = await readFile(nginx.options.accessLog, 'utf8').catch(() => '');
        return log.split('\n').find((l) => l.includes(String(id)));
      },
      { what: 'the access log line', timeoutMs: 5000, intervalMs: 25 },
    );
    const entry = JSON.parse(line) as Record<string, unknown>;
    assert.equal(entry.request_id, id);
    assert.equal(entry.host, 'www.foobar.com');
    assert.equal(entry.uri, '/articles?page=2');
    assert.equal(entry.status, 200);
    assert.equal(entry.upstream_status, '200');
  });

  test('the apex redirects to www, keeping path and query', async () => {
    const res = await httpRequest({ port: nginx.port, host: 'foobar.com', path: '/about?x=1' });
    assert.equal(res.status, 301);
    assert.equal(res.headers.location, `http://www.foobar.com:${nginx.port}/about?x=1`);
  });

  test('an unknown Host gets the connection closed without an answer', async () => {
    await assert.rejects(
      httpRequest({ port: nginx.port, host: 'evil.example', path: '/' }),
      /socket hang up|ECONNRESET/,
    );
    const reply = await rawExchange(nginx.port, 'GET / HTTP/1.0\r\n\r\n');
    assert.equal(reply, '', 'no Host: empty reply');
  });

  test('assets are served from disk, pre-compressed and cached forever', async () => {
    const plain = await httpRequest({ port: nginx.port, path: '/assets/app.3f2a1b.css' });
    assert.equal(plain.status, 200);
    assert.equal(plain.body, CSS);
    assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(plain.headers['x-content-type-options'], 'nosniff');
    assert.match(String(plain.headers['content-type']), /^text\/css/);
    const gz = await httpRequest({
      port: nginx.port,
      path: '/assets/app.3f2a1b.css',
      headers: { 'accept-encoding': 'gzip' },
    });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.ok(
      upstream.seen.every((r) => !r.url.startsWith('/assets/')),
      'the app never sees asset requests',
    );
  });

  test('uploads come from the app once, then from the disk cache, with nosniff and only the sandboxing CSP', async () => {
    const path = '/uploads/0123456789abcdef0123456789abcdef.png';
    const first = await httpRequest({ port: nginx.port, path });
    assert.equal(first.status, 200);
    assert.equal(first.headers['x-cache-status'], 'MISS');
    assert.equal(first.headers['x-content-type-options'], 'nosniff');
    assert.equal(
      first.headers['content-security-policy'],
      "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    );
    // Another query string and HEAD are the same cached file.
    const second = await httpRequest({ port: nginx.port, path: `${path}?v=2` });
    const head = await httpRequest({ port: nginx.port, path, method: 'HEAD' });
    assert.deepEqual(
      [second.status, second.headers['x-cache-status'], second.body],
      [200, 'HIT', first.body],
    );
    assert.deepEqual([head.status, head.headers['x-cache-status']], [200, 'HIT']);
    assert.equal(upstream.seen.filter((r) => r.url.startsWith(path)).length, 1, 'the app saw one request');
  });

  test('concurrent first requests for one upload reach the app once (proxy_cache_lock)', async () => {
    const path = '/uploads/fedcba9876543210fedcba9876543210.png';
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => httpRequest({ port: nginx.port, path })),
    );
    assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
    assert.equal(upstream.seen.filter((r) => r.url === path).length, 1);
  });

  test('a missing asset is nginx’s own 404 page', async () => {
    const res = await httpRequest({ port: nginx.port, path: '/assets/missing.css' });
    assert.equal(res.status, 404);
    assert.match(res.body, /Page not found/);
  });

  test('path traversal under /assets/ and /uploads/ never reaches a file outside', async () => {
    const probes = [
      '../secret.txt',
      '%2e%2e/secret.txt',
      '..%2fsecret.txt',
      '%2e%2e%2fsecret.txt',
      '.%2e/secret.txt',
      '../../secret.txt',
      'x/../../secret.txt',
    ];
    for (const root of ['/assets/', '/uploads/']) {
      for (const probe of probes) {
        const res = await httpRequest({ port: nginx.port, path: root + probe });
        // nginx itself refuses a path that climbs above the root, encoded or not.
        assert.equal(res.status, 400, `${root}${probe}`);
        assert.ok(!res.body.includes(SECRET), `${root}${probe} leaked the secret`);
      }
    }
    // The classic alias slip (location without its trailing slash) would serve this from the parent dir.
    const slip = await httpRequest({ port: nginx.port, path: '/assets../secret.txt' });
    assert.ok(!slip.body.includes(SECRET));
  });

  test('a body over the limit is refused with 413 before it reaches the app', async () => {
    const before = upstream.seen.length;
    const reply = await rawExchange(
      nginx.port,
      'POST /upload HTTP/1.1\r\nHost: www.foobar.com\r\nContent-Type: application/octet-stream\r\nContent-Length: 1048576\r\n\r\n',
      // nginx lingers for the body it refused; the answer is complete at </html>.
      /<\/html>/,
    );
    assert.match(reply, /^HTTP\/1\.1 413 /);
    assert.match(reply, /too large/);
    const small = await httpRequest({
      port: nginx.port,
      path: '/upload',
      method: 'POST',
      body: Buffer.alloc(1024),
    });
    assert.equal(small.status, 200);
    assert.equal(upstream.seen.length, before + 1);
  });

  test('health reads stub_status on loopback; the public name does not expose it', async () => {
    const health = await nginxHealth(localHost, {
      pidFile: nginx.options.pidFile,
      statusPort: nginx.options.statusPort,
    });
    assert.equal(health.healthy, true);
    assert.equal(health.pid, nginx.process.pid);
    assert.ok((health.connections?.active ?? 0) >= 1);
    const res = await httpRequest({ port: nginx.port, path: '/nginx_status' });
    assert.doesNotMatch(res.body, /Active connections/);
  });
});

describe('nginx with the application server stopped', () => {
  let nginx: TestNginx;
  before(async () => {
    const upstream = await startTestUpstream();
    await upstream.close();
    nginx = await startTestNginx({ upstreamPort: upstream.port });
    await writeStatic(nginx);
  });
  after(() => nginx?.stop());

  test('static assets are still served', async () => {
    const res = await httpRequest({ port: nginx.port, path: '/assets/app.3f2a1b.css' });
    assert.equal(res.status, 200);
    assert.equal(res.body, CSS);
  });

  test('pages get nginx’s own "We’ll be right back" page with 502', async () => {
    const res = await httpRequest({ port: nginx.port, path: '/' });
    assert.equal(res.status, 502);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.match(res.body, /We&#39;ll be right back/);
  });
});

describe('applying a config change', () => {
  let upstream: TestUpstream;
  let nginx: TestNginx;
  before(async () => {
    upstream = await startTestUpstream();
    nginx = await startTestNginx({ upstreamPort: upstream.port, clientMaxBodyBytes: 64 * 1024 });
  });
  after(async () => {
    await nginx?.stop();
    await upstream?.close();
  });
  const apply = (render: () => string) =>
    applyNginxConfig(localHost, {
      confPath: nginx.confPath,
      prefix: nginx.prefix,
      render,
      pidFile: nginx.options.pidFile,
      errorLog: nginx.options.errorLog,
    });
  const post = (bytes: number) =>
    httpRequest({ port: nginx.port, path: '/form', method: 'POST', body: Buffer.alloc(bytes) });

  test('a good change is reloaded gracefully: same master, new workers, new behaviour', async () => {
    const workersBefore = await childPids(localHost, nginx.process.pid);
    assert.equal((await post(32 * 1024)).status, 200);
    const result = await apply(() => renderNginxConf({ ...nginx.options, clientMaxBodyBytes: 16 * 1024 }));
    assert.deepEqual(result, { changed: true, reloaded: true });
    assert.equal(await readPid(localHost, nginx.options.pidFile), nginx.process.pid);
    const workersAfter = await childPids(localHost, nginx.process.pid);
    assert.ok([...workersAfter].some((pid) => !workersBefore.has(pid)));
    // An old worker may still accept a connection in the moment before it closes its listener.
    await waitFor(async () => (await post(32 * 1024)).status === 413, {
      what: 'the new workers refusing a body over the new limit',
      timeoutMs: 5_000,
    });
  });

  test('the same config again changes nothing', async () => {
    const text = await readFile(nginx.confPath, 'utf8');
    assert.deepEqual(await apply(() => text), { changed: false, reloaded: false });
  });

  test('a config nginx -t rejects is refused; the old one stays and keeps serving', async () => {
    const current = await readFile(nginx.confPath, 'utf8');
    const broken = current.replace('server_tokens off;', 'server_tokens off;\n  bogus_directive on;');
    await assert.rejects(
      apply(() => broken),
      (error) =>
        isWebstackError(error) &&
        error.code === 'NGINX_CONFIG_INVALID' &&
        /unknown directive "bogus_directive"/.test(error.message),
    );
    assert.equal(await readFile(nginx.confPath, 'utf8'), current);
    assert.equal((await httpRequest({ port: nginx.port, path: '/' })).status, 200);
  });

  test('a config that fails only on reload (port taken) is rolled back', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const address = squatter.address();
    assert.ok(address !== null && typeof address === 'object');
    try {
      const current = await readFile(nginx.confPath, 'utf8');
      await assert.rejects(
        apply(() =>
          renderNginxConf({ ...nginx.options, clientMaxBodyBytes: 16 * 1024, statusPort: address.port }),
        ),
        (error) =>
          isWebstackError(error) &&
          error.code === 'NGINX_RELOAD_FAILED' &&
          /Address already in use/.test(error.message),
      );
      assert.equal(await readFile(nginx.confPath, 'utf8'), current);
      assert.equal((await httpRequest({ port: nginx.port, path: '/' })).status, 200);
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });
});
