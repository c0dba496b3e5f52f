import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { Counter, Histogram, register } from 'prom-client';
import { SITE_METRICS, SITE_MIGRATIONS_DIR } from '../../../src/contract.js';
import { migrations } from '../../../src/site/database/migrator.js';
import { metricsPlugin } from '../../../src/site/plugins/metrics.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

test('contract: the migration list is the files of SITE_MIGRATIONS_DIR (as the stack reads it)', () => {
  // The release holds the compiled copy of this source folder (tsc keeps the layout under dist/).
  const source = `${root}${SITE_MIGRATIONS_DIR.replace(/^dist\//, 'src/')}`;
  const files = readdirSync(source)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => name.slice(0, -3))
    .sort();
  assert.deepEqual(Object.keys(migrations).sort(), files);
});

test('contract: the site exports the metrics the stack reads under SITE_METRICS names', async () => {
  const app = Fastify();
  await app.register(metricsPlugin);
  await app.ready();
  assert.ok(register.getSingleMetric(SITE_METRICS.requests) instanceof Counter);
  assert.ok(register.getSingleMetric(SITE_METRICS.duration) instanceof Histogram);
  await app.close();
});
