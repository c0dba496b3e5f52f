import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { HEALTH_PATH, READY_PATH } from '../../../src/contract.js';
import { start } from '../../../src/site/entry.js';
import { freePort } from '../../support/ports.js';
import { freshDatabase, settingsFor } from './helper.js';

function get(port: number, path: string): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('start() does not listen until listen(); probes answer in-process before that', async (t) => {
  const database = await freshDatabase(t);
  const port = await freePort();
  const handle = await start(settingsFor(database, { port, host: '127.0.0.1' }));
  t.after(() => handle.close());
  assert.equal(await handle.probe(HEALTH_PATH), 200);
  assert.equal(await handle.probe(READY_PATH), 200);
  await assert.rejects(get(port, HEALTH_PATH), /ECONNREFUSED/);
  await handle.listen();
  assert.equal((await get(port, HEALTH_PATH)).status, 200);
  await handle.close();
  await assert.rejects(get(port, HEALTH_PATH), /ECONNREFUSED/);
});
