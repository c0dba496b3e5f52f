import assert from 'node:assert/strict';
import { mkdtemp, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { localHost } from '../../../src/stack/host/index.js';
import { parseProcStat } from '../../../src/stack/host/proc.js';

async function scratch(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'webstack-host-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('writeAtomic makes the parent and leaves the file with exactly the mode asked for', async (t) => {
  const file = join(await scratch(t), 'a', 'b', 'secret.json');
  await localHost.writeAtomic(file, '{}\n', { mode: 0o600 });
  assert.equal(await readFile(file, 'utf8'), '{}\n');
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.equal(await localHost.readText(file, { offset: 1, maxBytes: 1 }), '}');
});

test('symlink replaces an existing link in one step; remove and readText accept what is missing', async (t) => {
  const dir = await scratch(t);
  const link = join(dir, 'current');
  await localHost.symlink('releases/one', link);
  await localHost.symlink('releases/two', link);
  assert.equal(await readlink(link), 'releases/two');
  assert.equal(await localHost.readLink(join(dir, 'none')), null);
  await localHost.remove(join(dir, 'none'));
  assert.equal(await localHost.readText(join(dir, 'none')), null);
  assert.deepEqual(await localHost.list(join(dir, 'none')), []);
});

test('createExclusive creates a file once', async (t) => {
  const file = join(await scratch(t), 'lock');
  assert.equal(await localHost.createExclusive(file, '1\n', { mode: 0o600 }), true);
  assert.equal(await localHost.createExclusive(file, '2\n', { mode: 0o600 }), false);
  assert.equal(await readFile(file, 'utf8'), '1\n');
});

test('the /proc scanner sees this process with its parent; isAlive is true for it and for pid 1', async () => {
  const self = (await localHost.processes()).find((p) => p.pid === process.pid);
  assert.deepEqual(self, { pid: process.pid, ppid: process.ppid, comm: self?.comm });
  assert.equal(await localHost.isAlive(process.pid), true);
  // pid 1 always exists; as another user the answer is EPERM, which still means alive.
  assert.equal(await localHost.isAlive(1), true);
});

test('a /proc/PID/stat line is split at the last parenthesis: names may hold spaces and parentheses', () => {
  assert.deepEqual(parseProcStat(42, '42 (nginx: worker (x)) S 7 42 42 0 -1'), {
    pid: 42,
    ppid: 7,
    comm: 'nginx: worker (x)',
  });
  assert.equal(parseProcStat(42, ''), null);
});
