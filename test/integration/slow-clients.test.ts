import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  httpRequest,
  startTestNginx,
  startTestUpstream,
  type TestNginx,
  type TestUpstream,
} from '../support/nginx.js';

// The renderer's default per-address limit (limit_conn), which the stack uses too.
const PER_ADDRESS = 100;
const SLOW = 300;

describe('one address holding hundreds of slow connections (real nginx)', () => {
  let upstream: TestUpstream;
  let nginx: TestNginx;
  const sockets: Socket[] = [];

  before(async () => {
    upstream = await startTestUpstream();
    nginx = await startTestNginx({ upstreamPort: upstream.port });
  });

  after(async () => {
    for (const socket of sockets) socket.destroy();
    await nginx?.stop();
    await upstream?.close();
  });

  test('the site still answers everyone else; that address gets 429 past its share', async (t) => {
    // Each slow client sends its headers and one byte of a 100 kB body, then nothing: a body
    // trickled slower than any deadline between reads would also look like this.
    const started = performance.now();
    let refused = 0;
    const refusedAll = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${refused} slow clients were refused`)), 30_000);
      for (let i = 0; i < SLOW; i++) {
        const socket = connect({ port: nginx.port, host: '127.0.0.1', localAddress: '127.0.0.2' });
        sockets.push(socket);
        socket.setEncoding('utf8');
        socket.on('error', () => {});
        socket.on('connect', () =>
          socket.write(
            'POST /slow HTTP/1.1\r\nHost: www.foobar.com\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\nx',
          ),
        );
        socket.once('data', (reply: string) => {
          if (reply.startsWith('HTTP/1.1 429')) refused++;
          if (refused === SLOW - PER_ADDRESS) {
            clearTimeout(timer);
            resolve();
          }
        });
      }
    });
    await refusedAll;
    const refusedMs = performance.now() - started;

    const asked = performance.now();
    const page = await httpRequest({ port: nginx.port, path: '/' });
    const pageMs = performance.now() - asked;
    assert.equal(page.status, 200, 'a reader from another address is served');
    const post = await httpRequest({
      port: nginx.port,
      path: '/form',
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
      address: '127.0.0.1',
    });
    assert.equal(post.status, 200, 'a writer from another address is served');
    // The run's numbers, for the record (printed, never asserted: this machine is shared).
    t.diagnostic(
      `${SLOW} slow connections from 127.0.0.2: ${refused} refused with 429 within ${Math.round(refusedMs)} ms, ` +
        `${SLOW - refused} held; meanwhile a GET from 127.0.0.1 answered ${page.status} in ${pageMs.toFixed(1)} ms ` +
        `and a POST ${post.status}; unfinished bodies streamed to the application: ${upstream.seen.filter((r) => r.url === '/slow').length}`,
    );
    assert.equal(refused, SLOW - PER_ADDRESS, 'exactly the connections past the share were refused');
    // nginx streams bodies to the application, whose whole-request deadline ends the held ones
    // (slow-bodies.test.ts); the refused ones never get that far.
    assert.ok(
      upstream.seen.filter((request) => request.url === '/slow').length <= PER_ADDRESS,
      'no refused connection reached the application',
    );
  });
});
