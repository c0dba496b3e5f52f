import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HEALTH_PATH, READY_PATH } from '../../../src/contract.js';
import { start } from '../../../src/site/entry.js';
import { freshDatabase, settingsFor } from './helper.js';

test('start() listens on a real port, probes health in-process, and closes cleanly', async (t) => {
  const database = await freshDatabase(t);
  const handle = await start(settingsFor(database, { port: 0 }));
  t.after(() => handle.close());
  assert.equal(await handle.probe(HEALTH_PATH), 200);
  assert.equal(await handle.probe(READY_PATH), 200);
  await handle.close();
});
