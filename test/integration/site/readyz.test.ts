import assert from 'node:assert/strict';
import { test } from 'node:test';
import { build } from './helper.js';

/** Counts the queries the app sends to MariaDB (they still run, against the real server). */
function countQueries(t: import('node:test').TestContext, app: Awaited<ReturnType<typeof build>>['app']) {
  return t.mock.method(app.db.getExecutor(), 'executeQuery');
}

test('/readyz asks the database at most once a second; later requests that second reuse the answer', async (t) => {
  const { app } = await build(t);
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const queries = countQueries(t, app);

  const answers = await Promise.all([1, 2, 3].map(() => app.inject({ url: '/readyz' })));
  assert.deepEqual(
    answers.map((a) => a.statusCode),
    [200, 200, 200],
  );
  assert.equal(queries.mock.callCount(), 1, 'concurrent probes share one check');

  t.mock.timers.tick(999);
  assert.equal((await app.inject({ url: '/readyz' })).statusCode, 200);
  assert.equal(queries.mock.callCount(), 1, 'within the second: the kept answer');

  t.mock.timers.tick(1);
  assert.equal((await app.inject({ url: '/readyz' })).json().status, 'ready');
  assert.equal(queries.mock.callCount(), 2, 'a second later: a new check');
});
