import assert from 'node:assert/strict';
import { test } from 'node:test';
import { limitConcurrency, QueueFullError } from '../../../src/site/lib/semaphore.js';

test('limitConcurrency: never more than max at once, all run, in order, errors free the slot', async () => {
  const limited = limitConcurrency(2);
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  const task = (i: number) => async () => {
    started.push(i);
    running++;
    peak = Math.max(peak, running);
    await new Promise((resolve) => setImmediate(resolve));
    running--;
    if (i === 3) throw new Error('boom');
    return i;
  };
  const results = await Promise.allSettled([0, 1, 2, 3, 4, 5, 6].map((i) => limited(task(i))));
  assert.equal(peak, 2);
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(
    results.map((r) => (r.status === 'fulfilled' ? r.value : 'failed')),
    [0, 1, 2, 'failed', 4, 5, 6],
  );
  assert.equal(await limited(async () => 'after'), 'after');
  assert.throws(() => limitConcurrency(0), RangeError);
});

test('limitConcurrency: a full queue refuses at once; an aborted waiter leaves it and never runs', async () => {
  const limited = limitConcurrency(1, 2);
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const ran: string[] = [];
  const task = (name: string) => async () => {
    ran.push(name);
    await gate;
  };
  const running = limited(task('running'));
  const gone = new AbortController();
  const abandoned = limited(task('abandoned'), gone.signal);
  const next = limited(task('next'));
  assert.equal(limited.waiting, 2);
  await assert.rejects(limited(task('overflow')), QueueFullError);
  gone.abort(new Error('client gone'));
  await assert.rejects(abandoned, /client gone/);
  assert.equal(limited.waiting, 1);
  open();
  await Promise.all([running, next]);
  assert.deepEqual(ran, ['running', 'next']);
  await assert.rejects(limited(task('late'), AbortSignal.abort(new Error('already gone'))), /already gone/);
  assert.deepEqual(ran, ['running', 'next']);
});
