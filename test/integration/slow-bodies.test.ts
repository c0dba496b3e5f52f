/**
 * The whole-request deadline for slow bodies, with the real parts: nginx (the stack's rendered
 * config) in front of the real site on a real MariaDB. nginx streams bodies to the site, and the
 * site's server answers 408 when a request has not arrived whole within requestTimeoutSeconds.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { type TestContext, test } from 'node:test';
import { buildApp } from '../../src/site/app.js';
import { httpRequest, startTestNginx } from '../support/nginx.js';
import { countRows, freshDatabase, settingsFor } from './site/helper.js';

/** Short, so the test is too; the stack's default is 30 s (http.requestTimeoutSeconds). */
const DEADLINE_SECONDS = 3;
/** The test's own bound: well past the deadline, well short of forever. */
const GIVE_UP_MS = 20_000;

async function siteBehindNginx(t: TestContext, nginxBodyLimit = 4 * 1024 * 1024) {
  const database = await freshDatabase(t);
  const app = await buildApp(settingsFor(database, { requestTimeoutSeconds: DEADLINE_SECONDS }), {
    logger: false,
  });
  t.after(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the site has no port');
  const nginx = await startTestNginx({ upstreamPort: address.port, clientMaxBodyBytes: nginxBodyLimit });
  t.after(() => nginx.stop());
  return { database, nginx };
}

/**
 * Sends BODY to nginx one byte a second from 127.0.0.2, and resolves with the status line nginx
 * answers with (or null if none came before the test's bound), the whole reply, and when nginx
 * closed the connection.
 */
function trickle(
  port: number,
  path: string,
  body: string,
): Promise<{ status: string | null; reply: string; ms: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2' });
    let sent = 0;
    let reply = '';
    const finish = () => {
      clearInterval(drip);
      clearTimeout(bound);
      socket.destroy();
      resolve({
        status: /^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? null,
        reply,
        ms: performance.now() - started,
      });
    };
    const drip = setInterval(() => {
      if (sent < body.length) socket.write(body[sent++] ?? '');
    }, 1000);
    const bound = setTimeout(finish, GIVE_UP_MS);
    socket.setEncoding('utf8');
    socket.on('error', () => {});
    socket.on('data', (chunk: string) => {
      reply += chunk;
    });
    socket.on('close', finish);
    socket.on('connect', () =>
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: www.foobar.com\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
      ),
    );
  });
}

test('a body trickled in gets 408 at the deadline and writes nothing, while another address is served', async (t) => {
  const { database, nginx } = await siteBehindNginx(t);
  // A whole registration, a byte a second: it would take over a minute to arrive.
  const slowBody = JSON.stringify({
    email: 'slow@example.com',
    password: 'a slow but valid password',
    displayName: 'Slow',
  });
  const slow = trickle(nginx.port, '/api/v1/users', slowBody);

  // Meanwhile, from another address: a page and a registration.
  const asked = performance.now();
  const page = await httpRequest({ port: nginx.port, path: '/', headers: { accept: 'text/html' } });
  const pageMs = performance.now() - asked;
  const fast = await httpRequest({
    port: nginx.port,
    path: '/api/v1/users',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: 'fast@example.com',
      password: 'a quick and valid password',
      displayName: 'Fast',
    }),
  });

  const { status, reply, ms } = await slow;
  t.diagnostic(
    `a body trickled at 1 byte/s from 127.0.0.2 got ${status ?? 'no answer'} after ${(ms / 1000).toFixed(1)} s ` +
      `(deadline ${DEADLINE_SECONDS} s); meanwhile 127.0.0.1 got GET / ${page.status} in ${pageMs.toFixed(1)} ms ` +
      `and a registration ${fast.status}`,
  );
  assert.equal(page.status, 200, 'a reader from another address is served');
  assert.equal(fast.status, 201, fast.body);
  assert.equal(status, '408', 'the slow body is cut off with 408, passed on by nginx');
  assert.match(reply, /content-type: application\/problem\+json/i);
  assert.match(reply, /"code":"REQUEST_TIMEOUT"/);
  assert.equal(await countRows(database, 'users'), 1, 'only the registration that arrived was written');
  const log = await import('node:fs/promises').then((fs) => fs.readFile(nginx.options.accessLog, 'utf8'));
  const line = log.split('\n').find((l) => l.includes('"remote_addr":"127.0.0.2"'));
  assert.match(line ?? '', /"status":408,.*"upstream_status":"408"/, 'nginx logged the site’s own 408');
});

test('the site’s own body limit still answers 413 through nginx, and nginx’s too', async (t) => {
  const { nginx } = await siteBehindNginx(t, 2 * 1024 * 1024);
  // Past the site's 1 MB JSON limit but within nginx's: the site refuses it as it streams in.
  const big = JSON.stringify({ email: 'big@example.com', password: 'x'.repeat(1536 * 1024) });
  const site = await httpRequest({
    port: nginx.port,
    path: '/api/v1/users',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: big,
  });
  assert.equal(site.status, 413, site.body);
  // Past nginx's own limit: refused before anything reaches the site.
  const huge = await httpRequest({
    port: nginx.port,
    path: '/api/v1/users',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: Buffer.alloc(3 * 1024 * 1024, 'a'),
  });
  assert.equal(huge.status, 413);
  assert.match(huge.body, /too large/i);
});
