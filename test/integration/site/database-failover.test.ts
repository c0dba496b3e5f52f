/**
 * What a writer failover looks like to the site, on a real MariaDB: HAProxy shuts the sessions to
 * the dead node down, which is the app's connections dying under it, mid-query or idle in the pool.
 * Here an admin connection kills them (KILL CONNECTION) while readers and writers run.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { sql } from 'kysely';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { transaction } from '../../../src/site/database/transaction.js';
import { seedDemo } from '../../../src/site/seed/seed.js';
import { adminOverSocket } from '../../../src/stack/components/mariadb/index.js';
import { sharedTestMariadb } from '../../support/mariadb.js';
import { build, migratorDb } from './helper.js';
import { signIn } from './roles.js';

const KILL_ROUNDS = 40;
const LOADERS = 6;

test("the app's connections killed again and again under load: every GET answers 200; writes 201 or 503, never 500; none lost, none doubled", async (t) => {
  const { app, database } = await build(t);
  await seedDemo(app.db, {});
  const editor = await signIn(app, 'editor');
  const admin = await signIn(app, 'admin');
  const killer = await createConnection(adminOverSocket((await sharedTestMariadb()).socket));
  t.after(() => killer.end());

  let killing = true;
  let killed = 0;
  let killedInFlight = 0;
  const kills = (async () => {
    try {
      for (let round = 0; round < KILL_ROUNDS; round++) {
        const [threads] = await killer.query<RowDataPacket[]>(
          'select id, command from information_schema.processlist where user = ?',
          [database.appUser],
        );
        for (const thread of threads) {
          try {
            await killer.query('kill connection ?', [thread.id]);
            killed++;
            if (thread.command === 'Query' || thread.command === 'Execute') killedInFlight++;
          } catch {
            // It ended by itself between the list and the kill.
          }
        }
        await delay(30);
      }
    } finally {
      killing = false;
    }
  })();

  const gets: { url: string; status: number; body: string }[] = [];
  const writes: {
    kind: 'article' | 'product';
    key: string;
    status: number;
    code?: string;
    retryAfter?: string;
  }[] = [];
  let serial = 0;
  const load = async (loader: number) => {
    // Bounded: the kill loop ends after KILL_ROUNDS; this loop stops with it (and never past 2000).
    for (let i = 0; killing && i < 2000; i++) {
      const n = serial++;
      const key = `failover-${loader}-${n}`;
      const step = n % 5;
      if (step === 3) {
        const response = await editor.browser.request({
          method: 'POST',
          url: '/api/v1/articles',
          json: { title: key, body: `Written under failover, ${key}.`, status: 'published' },
          headers: { 'x-csrf-token': editor.csrf },
        });
        writes.push(outcome('article', key, response));
      } else if (step === 4) {
        const response = await admin.browser.request({
          method: 'POST',
          url: '/api/v1/products',
          json: { name: key, priceCents: 1000 + n, currency: 'EUR', stock: 1 },
          headers: { 'x-csrf-token': admin.csrf },
        });
        writes.push(outcome('product', key, response));
      } else {
        const url = ['/api/v1/articles?limit=5', '/products', '/account'][step] ?? '/';
        // /account runs the session lookup, a prepared statement, on every request.
        const response = await editor.browser.request({ url });
        gets.push({ url, status: response.statusCode, body: response.body.slice(0, 200) });
      }
    }
  };
  await Promise.all([kills, ...Array.from({ length: LOADERS }, (_, i) => load(i))]);

  const count = (rows: string[]) =>
    rows.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>());
  const byStatus = (list: { status: number }[]) =>
    JSON.stringify(Object.fromEntries(count(list.map((x) => String(x.status)))));
  t.diagnostic(
    `${killed} connections killed (${killedInFlight} in flight); GETs by status ${byStatus(gets)}; ` +
      `writes by status ${byStatus(writes)}, ` +
      `${writes.filter((w) => w.code === 'WRITE_OUTCOME_UNKNOWN').length} × 503 outcome unknown`,
  );
  assert.ok(
    killedInFlight > 0,
    `some kills hit a query in flight (${killed} killed, ${killedInFlight} in flight)`,
  );
  assert.ok(gets.length > 50, `enough reads ran during the kills (${gets.length})`);
  const failedGets = gets.filter((g) => g.status !== 200);
  assert.deepEqual(failedGets, [], 'every GET was answered 200 (its reads retried on a fresh connection)');
  for (const write of writes) {
    assert.ok(
      write.status === 201 || write.status === 503,
      `a write answered ${write.status}: ${write.code}`,
    );
    if (write.status === 503) {
      assert.ok(write.retryAfter, 'a 503 says when to try again');
      assert.ok(
        write.code === 'WRITE_OUTCOME_UNKNOWN' || write.code === 'DATABASE_UNAVAILABLE',
        `a 503 names its cause: ${write.code}`,
      );
    }
  }

  // Every acknowledged write is there exactly once; no write is there twice (none was redone blindly).
  const db = migratorDb(database);
  t.after(() => db.destroy());
  const articles = await db
    .selectFrom('articles')
    .select(['title'])
    .where('title', 'like', 'failover-%')
    .execute();
  const products = await db
    .selectFrom('products')
    .select(['name'])
    .where('name', 'like', 'failover-%')
    .execute();
  const stored = {
    article: count(articles.map((r) => r.title)),
    product: count(products.map((r) => r.name)),
  };
  for (const write of writes) {
    const copies = stored[write.kind].get(write.key) ?? 0;
    if (write.status === 201) assert.equal(copies, 1, `acknowledged ${write.kind} ${write.key}`);
    else assert.ok(copies <= 1, `${write.kind} ${write.key} stored ${copies} times`);
  }
});

test('a transaction whose connection dies before COMMIT runs again, whole, and commits once', async (t) => {
  const { app } = await build(t);
  const killer = await createConnection(adminOverSocket((await sharedTestMariadb()).socket));
  t.after(() => killer.end());
  let attempts = 0;
  await transaction(app.db, async (trx) => {
    attempts++;
    await sql`insert into login_throttle (account, address, failures, last_failed_at)
      values ('killed@example.com', '192.0.2.1', ${attempts}, now(3))`.execute(trx);
    if (attempts === 1) {
      const { rows } = await sql<{ id: number }>`select connection_id() as id`.execute(trx);
      await killer.query('kill connection ?', [rows[0]?.id]);
    }
    await sql`select count(*) from login_throttle`.execute(trx);
  });
  assert.equal(attempts, 2, 'the first attempt died with its connection, the second committed');
  const { rows } = await sql<{ failures: number }>`
    select failures from login_throttle where account = 'killed@example.com'`.execute(app.db);
  assert.deepEqual(rows, [{ failures: 2 }], 'one row, from the second run: the first one rolled back');
});

test('a transaction chosen as a deadlock victim (1213, as a Galera certification conflict reads) runs again and commits', async (t) => {
  const { app, database } = await build(t);
  await sql`insert into login_throttle (account, address, failures, last_failed_at)
    values ('x@example.com', 'a', 0, now(3)), ('y@example.com', 'a', 0, now(3))`.execute(app.db);
  const server = await sharedTestMariadb();
  const watcher = await createConnection(adminOverSocket(server.socket));
  t.after(() => watcher.end());
  // The other transaction: heavier (it inserted rows), so InnoDB rolls ours back, not it.
  const other = await createConnection({ ...adminOverSocket(server.socket), database: database.name });
  t.after(() => other.end());
  await other.query('begin');
  await other.query(
    `insert into login_throttle (account, address, failures, last_failed_at)
     select concat('heavy', seq, '@example.com'), 'a', 0, now(3) from seq_1_to_50`,
  );
  await other.query(`select * from login_throttle where account = 'y@example.com' for update`);
  let otherWaits: Promise<unknown> | undefined;
  let attempts = 0;
  await transaction(app.db, async (trx) => {
    attempts++;
    await sql`select * from login_throttle where account = 'x@example.com' for update`.execute(trx);
    if (attempts === 1) {
      // It gets its lock once ours is rolled back, and commits at once, so that our second run can go on.
      otherWaits = other
        .query(`select * from login_throttle where account = 'x@example.com' for update`)
        .then(() => other.query('commit'));
      // Our next lock closes the cycle only once the other transaction waits for ours.
      for (let i = 0; i < 200; i++) {
        const [waiting] = await watcher.query<RowDataPacket[]>(
          // The other transaction's wait, not one of another test file's on the shared server.
          "select count(*) as n from information_schema.innodb_trx where trx_state = 'LOCK WAIT' and trx_mysql_thread_id = ?",
          [other.threadId],
        );
        if (Number(waiting[0]?.n) > 0) break;
        await delay(10);
      }
    }
    await sql`select * from login_throttle where account = 'y@example.com' for update`.execute(trx);
    if (attempts === 1) return;
    await sql`update login_throttle set failures = ${attempts} where account in ('x@example.com', 'y@example.com')`.execute(
      trx,
    );
  });
  await otherWaits;
  assert.equal(attempts, 2, 'ours was the victim, rolled back, and ran again after the other committed');
  const { rows } = await sql<{ failures: number }>`
    select failures from login_throttle where account in ('x@example.com', 'y@example.com')`.execute(app.db);
  assert.deepEqual(rows, [{ failures: 2 }, { failures: 2 }]);
});

function outcome(
  kind: 'article' | 'product',
  key: string,
  response: { statusCode: number; headers: Record<string, unknown>; body: string },
) {
  let code: string | undefined;
  try {
    code = (JSON.parse(response.body) as { code?: string }).code;
  } catch {
    code = response.body.slice(0, 100);
  }
  const retryAfter = response.headers['retry-after'];
  return {
    kind,
    key,
    status: response.statusCode,
    ...(code === undefined ? {} : { code }),
    ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
  };
}
