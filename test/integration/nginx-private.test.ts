import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  httpRequest,
  startTestNginx,
  startTestUpstream,
  type TestNginx,
  type TestUpstream,
} from '../support/nginx.js';

let upstream: TestUpstream;
let nginx: TestNginx;

before(async () => {
  upstream = await startTestUpstream();
  nginx = await startTestNginx({ upstreamPort: upstream.port });
});

after(async () => {
  await nginx?.stop();
  await upstream?.close();
});

test('the public name answers 404 for the health endpoints and never asks the application', async () => {
  for (const path of ['/healthz', '/readyz', '/healthz?x=1']) {
    assert.equal((await httpRequest({ port: nginx.port, path })).status, 404, path);
  }
  assert.equal((await httpRequest({ port: nginx.port, path: '/readyz/' })).status, 200, 'another path');
  assert.deepEqual(
    upstream.seen.map((request) => request.url),
    ['/readyz/'],
    'only a path that is not a health endpoint reached the application',
  );
});
