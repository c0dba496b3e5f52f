/**
 * The retry policy's wiring, with a scripted inner driver standing in for mysql2's pool (the
 * failures themselves are produced for real by test/integration/site/database-failover.test.ts;
 * a COMMIT that dies in flight cannot be timed there, so it is scripted here).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  MysqlAdapter,
  MysqlIntrospector,
  MysqlQueryCompiler,
  type QueryResult,
  sql,
} from 'kysely';
import type { Database } from '../../../src/site/database/database.js';
import { OutcomeUnknownError } from '../../../src/site/database/failures.js';
import { idempotentPlugin, RetryingDriver } from '../../../src/site/database/retrying-driver.js';
import { transaction } from '../../../src/site/database/transaction.js';

const lost = () =>
  Object.assign(new Error('Connection lost'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true });
const deadlock = () => Object.assign(new Error('Deadlock'), { code: 'ER_LOCK_DEADLOCK', errno: 1213 });
const fast = { delaysMs: [1], totalMs: 1000, maxAttempts: 5 };

/** A pool whose statements fail as `failures` says (by SQL text prefix, once each), then succeed. */
class ScriptedDriver implements Driver {
  readonly sent: string[] = [];
  acquired = 0;
  constructor(private failures: { sql: string; error: () => Error }[]) {}
  async init() {}
  async acquireConnection(): Promise<DatabaseConnection> {
    this.acquired++;
    const connection = this.acquired;
    const run = async (query: CompiledQuery): Promise<QueryResult<never>> => {
      this.sent.push(`#${connection} ${query.sql}`);
      const i = this.failures.findIndex((f) => query.sql.startsWith(f.sql));
      const failure = this.failures[i];
      if (failure) {
        this.failures.splice(i, 1);
        throw failure.error();
      }
      return { rows: [], numAffectedRows: 1n };
    };
    return {
      executeQuery: run,
      streamQuery: () => {
        throw new Error('not scripted');
      },
    };
  }
  async beginTransaction(c: DatabaseConnection) {
    await c.executeQuery(CompiledQuery.raw('begin'));
  }
  async commitTransaction(c: DatabaseConnection) {
    await c.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(c: DatabaseConnection) {
    await c.executeQuery(CompiledQuery.raw('rollback'));
  }
  async releaseConnection() {}
  async destroy() {}
}

function dbOver(inner: ScriptedDriver): Kysely<Database> {
  return new Kysely<Database>({
    dialect: {
      createAdapter: () => new MysqlAdapter(),
      createDriver: () => new RetryingDriver(inner, fast),
      createIntrospector: (db) => new MysqlIntrospector(db),
      createQueryCompiler: () => new MysqlQueryCompiler(),
    },
  });
}

test('a read that lost its connection runs again on a fresh one', async () => {
  const inner = new ScriptedDriver([{ sql: 'select', error: lost }]);
  await sql`select 1`.execute(dbOver(inner));
  assert.deepEqual(inner.sent, ['#1 select 1', '#2 select 1']);
});

test('a write that lost its connection in flight is not run again: its outcome is unknown', async () => {
  const inner = new ScriptedDriver([{ sql: 'insert', error: lost }]);
  await assert.rejects(sql`insert into t values (1)`.execute(dbOver(inner)), OutcomeUnknownError);
  assert.equal(inner.sent.length, 1);
});

test('a write the server rejected (1213) runs again; so does an idempotent one that lost its connection', async () => {
  const rejected = new ScriptedDriver([{ sql: 'insert', error: deadlock }]);
  await sql`insert into t values (1)`.execute(dbOver(rejected));
  assert.equal(rejected.sent.length, 2);
  const idempotent = new ScriptedDriver([{ sql: 'delete', error: lost }]);
  await sql`delete from t where id = 1`.execute(dbOver(idempotent).withPlugin(idempotentPlugin));
  assert.deepEqual(idempotent.sent, ['#1 delete from t where id = 1', '#2 delete from t where id = 1']);
});

test('a transaction that failed before COMMIT runs again whole; its statements are never retried alone', async () => {
  const inner = new ScriptedDriver([{ sql: 'update', error: lost }]);
  let runs = 0;
  await transaction(dbOver(inner), async (trx) => {
    runs++;
    await sql`select 1`.execute(trx);
    await sql`update t set n = n + 1`.execute(trx);
  });
  assert.equal(runs, 2);
  assert.deepEqual(
    inner.sent.filter((s) => !s.endsWith('rollback')),
    [
      '#1 begin',
      '#1 select 1',
      '#1 update t set n = n + 1',
      '#2 begin',
      '#2 select 1',
      '#2 update t set n = n + 1',
      '#2 commit',
    ],
  );
});

test('a COMMIT rejected by certification (1213) runs the transaction again; a COMMIT that lost its connection does not', async () => {
  const rejected = new ScriptedDriver([{ sql: 'commit', error: deadlock }]);
  let runs = 0;
  await transaction(dbOver(rejected), async (trx) => {
    runs++;
    await sql`update t set n = n + 1`.execute(trx);
  });
  assert.equal(runs, 2);

  const ambiguous = new ScriptedDriver([
    { sql: 'commit', error: lost },
    { sql: 'rollback', error: lost },
  ]);
  runs = 0;
  await assert.rejects(
    transaction(dbOver(ambiguous), async (trx) => {
      runs++;
      await sql`update t set n = n + 1`.execute(trx);
    }),
    (error: unknown) => error instanceof OutcomeUnknownError,
    'the failed ROLLBACK on the dead connection does not hide why',
  );
  assert.equal(runs, 1);
});

test('the retries stop within the budget, with the last error', async () => {
  const inner = new ScriptedDriver(Array.from({ length: 10 }, () => ({ sql: 'select', error: lost })));
  await assert.rejects(sql`select 1`.execute(dbOver(inner)), /Connection lost/);
  assert.equal(inner.sent.length, fast.maxAttempts);
});
