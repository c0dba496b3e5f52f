import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cached } from '../../../src/stack/metrics/cache.js';

function counting() {
  const clock = { now: 0 };
  const counter = { collections: 0 };
  const cached = new Cached(
    async () => {
      counter.collections++;
      return `collection ${counter.collections}`;
    },
    1000,
    () => clock.now,
  );
  return { clock, counter, cached };
}

test('two scrapes inside the interval cost one collection', async () => {
  const { clock, counter, cached } = counting();
  assert.equal(await cached.get(), 'collection 1');
  clock.now = 999;
  assert.equal(await cached.get(), 'collection 1');
  assert.equal(counter.collections, 1);
});

test('concurrent scrapes share the collection in flight', async () => {
  const { counter, cached } = counting();
  const results = await Promise.all([cached.get(), cached.get(), cached.get()]);
  assert.deepEqual(results, ['collection 1', 'collection 1', 'collection 1']);
  assert.equal(counter.collections, 1);
});

test('a scrape after the interval collects again', async () => {
  const { clock, counter, cached } = counting();
  await cached.get();
  clock.now = 1000;
  assert.equal(await cached.get(), 'collection 2');
  assert.equal(counter.collections, 2);
});

test('a failed collection is not kept: the next scrape collects again', async () => {
  let calls = 0;
  const cached = new Cached(
    async () => {
      calls++;
      if (calls === 1) throw new Error('MariaDB away');
      return 'ok';
    },
    1000,
    () => 0,
  );
  await assert.rejects(cached.get(), /MariaDB away/);
  assert.equal(await cached.get(), 'ok');
  assert.equal(calls, 2);
});
