import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WaitTimeout, waitFor } from '../../support/wait.js';

test('waitFor returns the first value the check gives, after the misses and the throws', async () => {
  let calls = 0;
  const value = await waitFor(
    () => {
      calls++;
      if (calls === 1) throw new Error('not up yet');
      return calls < 4 ? (calls === 2 ? null : false) : { calls };
    },
    { what: 'the fourth call', intervalMs: 1 },
  );
  assert.deepEqual(value, { calls: 4 });
  assert.equal(calls, 4);
});

test('waitFor fails with what it waited for and the last error or value', async () => {
  await assert.rejects(
    waitFor(() => undefined, { what: 'nothing', timeoutMs: 20, intervalMs: 5 }),
    (error: unknown) =>
      error instanceof WaitTimeout && /waiting for nothing; last check: gave undefined$/.test(error.message),
  );
  await assert.rejects(
    waitFor(
      () => {
        throw new Error('ECONNREFUSED');
      },
      { what: 'a listener', timeoutMs: 20, intervalMs: 5 },
    ),
    /timed out after 20 ms waiting for a listener; last check: threw Error: ECONNREFUSED$/,
  );
});

test('waitFor gives up at once when giveUp names a reason', async () => {
  let checks = 0;
  await assert.rejects(
    waitFor(
      () => {
        checks++;
        return false;
      },
      { what: 'named to answer', timeoutMs: 60_000, giveUp: () => checks >= 2 && 'named exited' },
    ),
    /gave up waiting for named to answer \(named exited\); last check: gave false$/,
  );
  assert.equal(checks, 2);
});
