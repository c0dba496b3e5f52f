import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPrimaryMessage, isWorkerMessage } from '../../../src/stack/components/appserver/protocol.js';

test('worker messages of every kind are recognised', () => {
  assert.ok(isWorkerMessage({ type: 'hello' }));
  assert.ok(isWorkerMessage({ type: 'ready' }));
  assert.ok(isWorkerMessage({ type: 'failed', reason: 'boom' }));
  assert.ok(isWorkerMessage({ type: 'probed', id: 1, status: 200 }));
  assert.ok(isWorkerMessage({ type: 'probed', id: 1, status: null }));
});

test('malformed worker messages are refused', () => {
  for (const message of [
    null,
    'ready',
    42,
    {},
    { type: 'failed' },
    { type: 'probed', id: '1', status: 200 },
  ]) {
    assert.equal(isWorkerMessage(message), false, JSON.stringify(message));
  }
});

test('primary messages are checked the same way', () => {
  assert.ok(isPrimaryMessage({ type: 'drain' }));
  assert.ok(isPrimaryMessage({ type: 'probe', id: 2, path: '/readyz' }));
  assert.ok(isPrimaryMessage({ type: 'start', settings: {}, readyTimeoutMs: 1, drainTimeoutMs: 1 }));
  assert.equal(isPrimaryMessage({ type: 'start', settings: {} }), false);
  assert.equal(isPrimaryMessage({ type: 'probe', id: 2 }), false);
  // Messages of any other shape (another library's, say) are ignored.
  assert.equal(isPrimaryMessage({ cmd: 'NODE_CLUSTER', act: 'newconn' }), false);
});
