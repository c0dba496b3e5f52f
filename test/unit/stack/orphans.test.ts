import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listenInodes } from '../../../src/stack/components/nginx/orphans.js';

const procNetTcp = [
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  '   0: 0100007F:A2CB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0000000000000000 100 0 0 10 0',
  '   1: 00000000:A2CB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 222 1 0000000000000000 100 0 0 10 0',
  '   2: 0100007F:A2CB 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 333 1 0000000000000000 20 4 30 10 -1',
  '   3: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 444 1 0000000000000000 100 0 0 10 0',
  '',
].join('\n');

test('the LISTEN sockets of one port are found on any local address; connections and other ports are not', () => {
  assert.deepEqual(listenInodes(procNetTcp, 41675), ['111', '222']);
  assert.deepEqual(listenInodes(procNetTcp, 80), ['444']);
  assert.deepEqual(listenInodes(procNetTcp, 8080), []);
});
