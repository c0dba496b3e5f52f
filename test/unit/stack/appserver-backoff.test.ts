import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type BackoffPolicy,
  DEFAULT_BACKOFF,
  nextStreak,
  restartDelay,
} from '../../../src/stack/components/appserver/backoff.js';

test('restart delays double from 100 ms', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((streak) => restartDelay(streak)),
    [100, 200, 400, 800, 1600],
  );
});

test('restart delays stop growing at 30 s', () => {
  assert.equal(restartDelay(10), 30_000);
  assert.equal(restartDelay(10_000), 30_000);
});

test('a streak below 1 waits the initial delay', () => {
  assert.equal(restartDelay(0), DEFAULT_BACKOFF.initialMs);
  assert.equal(restartDelay(-3), DEFAULT_BACKOFF.initialMs);
});

test('a custom policy sets the first delay and the ceiling', () => {
  const policy: BackoffPolicy = { initialMs: 250, maxMs: 1_000, resetAfterMs: 5_000 };
  assert.deepEqual(
    [1, 2, 3, 4].map((streak) => restartDelay(streak, policy)),
    [250, 500, 1_000, 1_000],
  );
});

test('a crash soon after the last one lengthens the streak', () => {
  assert.equal(nextStreak(0, 0), 1);
  assert.equal(nextStreak(3, 29_999), 4);
});

test('a worker that served 30 s starts a fresh streak', () => {
  assert.equal(nextStreak(7, 30_000), 1);
  assert.equal(restartDelay(nextStreak(7, 45_000)), 100);
});
