import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StatusSnapshot } from '../../../src/contract.js';
import { matchesLogFilter } from '../../../src/stack/cli/log-filter.js';
import { formatError } from '../../../src/stack/cli/output.js';
import { renderTraffic } from '../../../src/stack/cli/status.js';
import { WebstackError } from '../../../src/stack/core/errors.js';

const nginxLine = JSON.stringify({ request_id: 'abc123', status: 404, uri: '/nope' });
const appLine = JSON.stringify({ level: 30, reqId: 'abc123', statusCode: 404, msg: 'request' });

test('log filters match the request id and status of both the Nginx and the application log', () => {
  assert.equal(matchesLogFilter(nginxLine, { requestId: 'abc123' }), true);
  assert.equal(matchesLogFilter(appLine, { requestId: 'abc123' }), true);
  assert.equal(matchesLogFilter(appLine, { requestId: 'other' }), false);
  assert.equal(matchesLogFilter(nginxLine, { status: 404 }), true);
  assert.equal(matchesLogFilter(appLine, { status: 404, requestId: 'abc123' }), true);
  assert.equal(matchesLogFilter(appLine, { status: 500 }), false);
});

test('a line that is not JSON matches no filter, but shows when there is none', () => {
  assert.equal(matchesLogFilter('2026-11-29 [Note] InnoDB: started', { status: 200 }), false);
  assert.equal(matchesLogFilter('null', { status: 200 }), false);
  assert.equal(matchesLogFilter('2026-11-29 [Note] InnoDB: started', {}), true);
});

test('the traffic line shows the newest sample, or says there is none', () => {
  assert.equal(renderTraffic(null), 'traffic: no sample yet');
  const snapshot: StatusSnapshot = {
    generatedAt: '2026-11-29T15:00:00Z',
    intervalSeconds: 10,
    release: 'r1',
    components: [],
    points: [
      {
        t: 1,
        requestsPerSecond: 1,
        p50Ms: 1,
        p99Ms: 2,
        errorRate: 0,
        dbQueriesPerSecond: 1,
        memoryBytes: 1,
        workerRestarts: 0,
        dbConnectionUse: 0,
      },
      {
        t: 2,
        requestsPerSecond: 42.25,
        p50Ms: 3.14,
        p99Ms: null,
        errorRate: 0.015,
        dbQueriesPerSecond: 80,
        memoryBytes: 300 * 2 ** 20,
        workerRestarts: 0,
        dbConnectionUse: 0.1,
      },
    ],
  };
  assert.equal(
    renderTraffic(snapshot),
    'traffic (last 10s): 42.3 req/s · p50 3.1 ms · p99 - · 5xx 1.50% · db 80.0 q/s · workers 300 MiB',
  );
});

test('a coded error prints its code, reason and fix', () => {
  assert.deepEqual(formatError(new WebstackError('BACKUP_MISSING', '/tmp/x.tar.gz')), [
    'error BACKUP_MISSING: /tmp/x.tar.gz does not exist',
    'fix: name a backup archive (see backups/)',
  ]);
});

test('an error with no code is called a bug; a permission error is not', () => {
  assert.deepEqual(formatError(new TypeError('x is undefined')), [
    'error: x is undefined',
    'fix: this is a bug in webstack; run again with WEBSTACK_DEBUG=1 and report the output',
  ]);
  const denied = Object.assign(new Error('EACCES'), { code: 'EACCES', syscall: 'open', path: '/etc/w.json' });
  assert.deepEqual(formatError(denied), [
    'error PERMISSION_DENIED: open /etc/w.json: permission denied',
    'fix: run webstack as the user that owns the state directory (or as root)',
  ]);
});
