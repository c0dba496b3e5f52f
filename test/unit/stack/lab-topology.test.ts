import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isWebstackError } from '../../../src/stack/core/errors.js';
import { MAX_LAB_HOSTS, planHosts, withPrefix } from '../../../src/stack/lab/topology.js';

test('hosts are numbered per role, lb then app then db, from 198.18.0.11 up', () => {
  assert.deepEqual(planHosts({ lb: 1, app: 2, db: 1 }), [
    { name: 'lb1', role: 'lb', address: '198.18.0.11', veth: 'wsl-lb1' },
    { name: 'app1', role: 'app', address: '198.18.0.12', veth: 'wsl-app1' },
    { name: 'app2', role: 'app', address: '198.18.0.13', veth: 'wsl-app2' },
    { name: 'db1', role: 'db', address: '198.18.0.14', veth: 'wsl-db1' },
  ]);
});

test('a role with no hosts is skipped', () => {
  assert.deepEqual(
    planHosts({ lb: 0, app: 1, db: 0 }).map((h) => [h.name, h.address]),
    [['app1', '198.18.0.11']],
  );
});

test('every address stays inside 198.18.0.0/24, the largest lab ends at .254', () => {
  const hosts = planHosts({ lb: 0, app: MAX_LAB_HOSTS, db: 0 });
  assert.equal(hosts.length, 244);
  assert.equal(hosts.at(-1)?.address, '198.18.0.254');
  assert.ok(hosts.every((h) => /^198\.18\.0\.(\d+)$/.test(h.address)));
  // Interface names must fit the kernel's 15 characters.
  assert.ok(hosts.every((h) => h.veth.length <= 15));
});

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(isWebstackError(error));
    return error.code;
  }
  assert.fail('expected a refusal');
}

test('counts that do not fit the /24 are refused', () => {
  assert.equal(
    refusal(() => planHosts({ lb: 1, app: MAX_LAB_HOSTS, db: 0 })),
    'LAB_TOO_MANY_HOSTS',
  );
});

test('no hosts at all, a negative or a fractional count are refused', () => {
  assert.equal(
    refusal(() => planHosts({ lb: 0, app: 0, db: 0 })),
    'LAB_NO_HOSTS',
  );
  assert.equal(
    refusal(() => planHosts({ lb: -1, app: 1, db: 0 })),
    'LAB_BAD_COUNT',
  );
  assert.equal(
    refusal(() => planHosts({ lb: 0, app: 1.5, db: 0 })),
    'LAB_BAD_COUNT',
  );
});

test('addresses are written with the lab prefix length', () => {
  assert.equal(withPrefix('198.18.0.12'), '198.18.0.12/24');
});
