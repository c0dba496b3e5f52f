import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import type { HostPlan } from '../../../src/stack/cluster/plan.js';
import { resolveConfig } from '../../../src/stack/core/config/load.js';
import { peersCheck } from '../../../src/stack/doctor/checks/peers.js';

test('peers are dialled at their inventory addresses (their names need not resolve); a closed port fails', async () => {
  const server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const plan = {
    host: { name: 'lb1', address: '127.0.0.1', roles: ['lb'] },
    components: ['nginx'],
    upstreams: [{ host: 'no-such-name.invalid', address: '127.0.0.1' }],
    database: null,
    clients: { app: [], db: [] },
  } as unknown as HostPlan;
  const config = resolveConfig({});
  const up = await peersCheck(plan, { app: port, db: 1 }).run(config, { running: true });
  assert.equal(up.severity, 'ok', up.detail);
  assert.equal(up.detail, `reaches no-such-name.invalid:${port}`);
  await new Promise((resolve) => server.close(resolve));
  const down = await peersCheck(plan, { app: port, db: 1 }).run(config, { running: true });
  assert.equal(down.severity, 'critical');
  assert.match(
    down.detail,
    new RegExp(`cannot reach application server no-such-name.invalid \\(127\\.0\\.0\\.1:${port}\\)`),
  );
});
