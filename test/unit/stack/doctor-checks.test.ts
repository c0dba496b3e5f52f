import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../../../src/stack/core/config/load.js';
import { CHECKS } from '../../../src/stack/doctor/doctor.js';

test('doctor runs the host checks, then each component’s, then the alerts, in this order', () => {
  assert.deepEqual(
    CHECKS.map((check) => check.title),
    [
      'Debian packages',
      'ports',
      'permissions',
      'disk',
      'zone file',
      'nginx -t',
      'database',
      'DNS',
      'HTTPS certificate',
      'error rate',
      'latency p99',
      'worker restarts',
      'database connections',
    ],
  );
});

test('an alert check on a stopped stack passes without reading anything', async () => {
  const alert = CHECKS.find((check) => check.title === 'error rate');
  assert.ok(alert);
  const config = resolveConfig({ stateDir: '/nonexistent/webstack' });
  assert.deepEqual(await alert.run(config, { running: false }), {
    severity: 'ok',
    detail: 'the stack is not running',
    fix: null,
  });
});
