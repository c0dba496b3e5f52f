import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import { buildApp } from '../../../src/site/app.js';
import { migrateToLatest } from '../../../src/site/database/migrator.js';
import { mariadbRunAs, startMariadb, waitForMariadb } from '../../../src/stack/components/mariadb/index.js';
import { localHost } from '../../../src/stack/host/index.js';
import { startTestMariadb } from '../../support/mariadb.js';
import { waitFor } from '../../support/wait.js';
import { Browser, migratorDb, settingsFor } from './helper.js';

test('database stopped → /readyz and pages answer 503 fast; started again → 200 by itself', async (t) => {
  const server = await startTestMariadb();
  let current = server.process;
  t.after(async () => {
    await current.stop();
    await rm(server.dir, { recursive: true, force: true });
  });
  const database = await server.createDatabase('outage');
  const migrator = migratorDb(database);
  await migrateToLatest(migrator);
  await migrator.destroy();

  const app = await buildApp(settingsFor(database), { logger: false });
  t.after(() => app.close());
  const browser = new Browser(app);
  assert.equal((await browser.register('olga@example.com', 'correct horse battery')).statusCode, 303);
  assert.equal((await app.inject({ url: '/readyz' })).statusCode, 200);

  await current.stop();

  // /readyz answers from a check at most a second old: the next check after that sees the outage.
  const ready = await waitFor(
    async () => {
      const answer = await app.inject({ url: '/readyz' });
      return answer.statusCode === 503 && answer;
    },
    { what: '/readyz to answer 503', intervalMs: 100 },
  );
  assert.equal(ready.headers['retry-after'], '5');
  assert.equal(
    (await app.inject({ url: '/healthz' })).statusCode,
    200,
    'liveness never touches the database',
  );
  const page = await browser.request({ url: '/account' });
  assert.equal(page.statusCode, 503);
  assert.ok(page.headers['retry-after']);
  assert.match(page.body, /briefly unavailable/);
  const api = await app.inject({
    method: 'POST',
    url: '/api/v1/session',
    payload: { email: 'olga@example.com', password: 'x' },
  });
  assert.equal(api.statusCode, 503);
  assert.equal(api.json().code, 'DATABASE_UNAVAILABLE');

  current = startMariadb(localHost, server.layout.config, await mariadbRunAs(localHost));
  await waitForMariadb(server.layout.socket, 60_000, { exited: current.exited, errorLog: server.layout.log });

  await waitFor(async () => (await app.inject({ url: '/readyz' })).statusCode === 200, {
    what: '/readyz to answer 200 again',
    intervalMs: 200,
  });
  const again = await browser.request({ url: '/account' });
  assert.equal(again.statusCode, 200, 'the session (in the database) is still valid');
});
