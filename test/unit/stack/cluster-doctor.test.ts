import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clockFinding } from '../../../src/stack/cluster/doctor.js';

test('a clock within a second is fine; further off, a warning that says which way and how to fix it', () => {
  assert.equal(clockFinding(-999).severity, 'ok');
  const ahead = clockFinding(2_500);
  assert.equal(ahead.severity, 'warning');
  assert.equal(ahead.detail, "2.5 s ahead of this machine's clock");
  assert.match(ahead.fix ?? '', /NTP/);
  assert.equal(clockFinding(-61_000).detail, "61.0 s behind this machine's clock");
});
