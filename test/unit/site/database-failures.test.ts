import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_RETRY_BUDGET,
  decide,
  failureKind,
  isDatabaseUnavailable,
  OutcomeUnknownError,
  retryDelay,
} from '../../../src/site/database/failures.js';
import { toProblem } from '../../../src/site/plugins/errors.js';

// The shapes mysql2 gives these errors (code, errno, fatal), as seen against MariaDB 10.11.
const deadlock = { code: 'ER_LOCK_DEADLOCK', errno: 1213, message: 'Deadlock found when trying to get lock' };
const notReady = {
  code: 'ER_UNKNOWN_COM_ERROR',
  errno: 1047,
  message: 'WSREP has not yet prepared node for application use',
};
const lockWait = { code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205 };
const lost = { code: 'PROTOCOL_CONNECTION_LOST', fatal: true, message: 'Connection lost' };
const killed = { code: 'ER_CONNECTION_KILLED', errno: 1927, fatal: true };
const shutdown = { code: 'ER_SERVER_SHUTDOWN', errno: 1053 };
const closed = Object.assign(new Error("Can't add new command when connection is in closed state"), {
  fatal: true,
});
const refused = { code: 'ECONNREFUSED', errno: -111, fatal: true };
const duplicate = { code: 'ER_DUP_ENTRY', errno: 1062 };
// Seen in the topology test: the writer's node dropped out of the primary component mid-commit.
const commitUncertain = {
  code: 'ER_ERROR_DURING_COMMIT',
  errno: 1180,
  message:
    'Error while appending streaming replication fragment(provider status: Not connected to Primary Component)',
};

test('failure kinds: rejected by the server, never sent, lost in flight, pool busy, other', () => {
  for (const error of [deadlock, notReady, lockWait]) assert.equal(failureKind(error), 'rejected');
  for (const error of [refused, closed, { code: 'ENOENT' }]) assert.equal(failureKind(error), 'unsent');
  for (const error of [lost, killed, shutdown, { code: 'ECONNRESET' }, { code: 'EPIPE' }, { errno: 2013 }])
    assert.equal(failureKind(error), 'lost', JSON.stringify(error));
  assert.equal(failureKind({ code: 'POOL_ACQUIRE_TIMEOUT' }), 'saturated');
  assert.equal(failureKind(new Error('Queue limit reached.')), 'saturated');
  for (const error of [duplicate, new Error('boom'), null, 'text', { code: 'ER_PARSE_ERROR', fatal: true }])
    assert.equal(failureKind(error), 'other');
});

test('reads and idempotent writes are retried after any availability failure', () => {
  for (const step of ['read', 'idempotent', 'connect'] as const)
    for (const error of [deadlock, notReady, lockWait, lost, killed, closed, refused])
      assert.equal(decide(error, step), 'retry', `${step} ${JSON.stringify(error)}`);
});

test('a write that lost its connection in flight (or at COMMIT) is ambiguous, never retried', () => {
  for (const step of ['write', 'commit'] as const) {
    assert.equal(decide(lost, step), 'ambiguous');
    assert.equal(decide(killed, step), 'ambiguous');
    assert.equal(decide(shutdown, step), 'ambiguous');
    // Rejected or never sent: nothing of it stayed, so it runs again.
    assert.equal(decide(deadlock, step), 'retry', 'a certification conflict at COMMIT rolled back');
    assert.equal(decide(notReady, step), 'retry');
    assert.equal(decide(closed, step), 'retry', 'never left the client');
  }
});

test('Galera failing a write-set mid-commit (1180) is an unknown outcome for a write: a 503, never a 500 or a replay', () => {
  assert.equal(failureKind(commitUncertain), 'lost');
  assert.equal(decide(commitUncertain, 'write'), 'ambiguous');
  assert.equal(decide(commitUncertain, 'commit'), 'ambiguous');
  assert.equal(isDatabaseUnavailable(commitUncertain), true);
});

test('inside a transaction, before COMMIT, a lost connection means the whole transaction runs again', () => {
  assert.equal(decide(lost, 'transaction'), 'retry');
  assert.equal(decide(deadlock, 'transaction'), 'retry');
});

test('a busy pool is answered 503 at once, and other errors go through untouched', () => {
  assert.equal(decide({ code: 'POOL_ACQUIRE_TIMEOUT' }, 'read'), 'unavailable');
  assert.equal(decide(duplicate, 'write'), 'fail');
  assert.equal(decide(new Error('bug'), 'read'), 'fail');
});

test('retry budget: growing pauses, bounded in count and in total time', () => {
  const pauses: number[] = [];
  let elapsed = 0;
  for (let attempt = 1; ; attempt++) {
    const pause = retryDelay(DEFAULT_RETRY_BUDGET, attempt, elapsed);
    if (pause === null) break;
    pauses.push(pause);
    elapsed += pause;
  }
  assert.deepEqual(pauses, [50, 100, 200, 400, 800, 500, 500, 500]);
  assert.ok(elapsed <= DEFAULT_RETRY_BUDGET.totalMs);
  assert.ok(elapsed >= 2000, 'long enough to absorb a ~2 s writer failover');
  assert.equal(retryDelay(DEFAULT_RETRY_BUDGET, 1, 3490), null, 'no pause that ends past the budget');
  assert.equal(retryDelay({ delaysMs: [10], totalMs: 10_000, maxAttempts: 3 }, 3, 0), null);
  assert.equal(
    retryDelay({ delaysMs: [10], totalMs: 10_000, maxAttempts: 3 }, 2, 0),
    10,
    'the last pause repeats',
  );
});

test('every availability failure is a 503 with a code; an unknown write outcome has its own', () => {
  for (const error of [deadlock, notReady, lockWait, lost, killed, closed, refused, shutdown]) {
    assert.equal(isDatabaseUnavailable(error), true, JSON.stringify(error));
    const problem = toProblem(error);
    assert.equal(problem.status, 503);
    assert.equal(problem.code, 'DATABASE_UNAVAILABLE');
  }
  const unknown = toProblem(new OutcomeUnknownError(lost));
  assert.equal(unknown.status, 503);
  assert.equal(unknown.code, 'WRITE_OUTCOME_UNKNOWN');
  assert.match(unknown.detail, /may or may not have been saved/);
  assert.equal(toProblem(duplicate).status, 500);
});
