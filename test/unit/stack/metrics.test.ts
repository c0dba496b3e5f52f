import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import type { StatusPoint, StatusSnapshot } from '../../../src/contract.js';
import { lineChart } from '../../../src/site/modules/admin/charts.js';
import { ALERTS } from '../../../src/stack/metrics/alerts.js';
import { renderStackMetrics } from '../../../src/stack/metrics/collect.js';
import { History, pointBetween, quantileMs, rawSample } from '../../../src/stack/metrics/history.js';
import { parsePrometheusText, sumOf } from '../../../src/stack/metrics/parse.js';

describe('parsePrometheusText', () => {
  test('reads what prom-client writes, labels and escapes included', async () => {
    const registry = new Registry();
    const c = new Counter({ name: 'a_total', help: 'h', labelNames: ['x'], registers: [registry] });
    c.inc({ x: 'quote " back \\ nl \n' }, 3);
    new Histogram({ name: 'd_seconds', help: 'h', buckets: [0.1, 1], registers: [registry] }).observe(0.5);
    const samples = parsePrometheusText(await registry.metrics());
    assert.equal(samples.find((s) => s.name === 'a_total')?.labels.x, 'quote " back \\ nl \n');
    assert.equal(sumOf(samples, 'd_seconds_bucket', { le: '+Inf' }), 1);
    assert.equal(sumOf(samples, 'd_seconds_bucket', { le: '0.1' }), 0);
  });

  for (const bad of ['a{x="1"', 'a{x=1} 2', 'a 1 2 3', '1a 2', 'a{x="1"}', '# TYPE a nonsense', 'a abc'])
    test(`rejects ${JSON.stringify(bad)}`, () => assert.throws(() => parsePrometheusText(bad)));

  test('rejects a second TYPE for one metric', () =>
    assert.throws(() => parsePrometheusText('# TYPE a counter\n# TYPE a counter\na 1\n')));
});

describe('history', () => {
  const bucketsAt = (fast: number, slow: number) =>
    `# TYPE http_request_duration_seconds histogram\n` +
    `http_request_duration_seconds_bucket{le="0.1"} ${fast}\n` +
    `http_request_duration_seconds_bucket{le="1"} ${fast + slow}\n` +
    `http_request_duration_seconds_bucket{le="+Inf"} ${fast + slow}\n` +
    `http_requests_total{status="200"} ${fast + slow - 1}\nhttp_requests_total{status="500"} 1\n`;

  test('turns two scrapes into rates and quantiles of the interval', () => {
    const a = rawSample(0, []);
    const b = rawSample(10_000, parsePrometheusText(bucketsAt(99, 1)));
    const point = pointBetween(a, b);
    assert.equal(point.requestsPerSecond, 10);
    assert.equal(point.errorRate, 0.01);
    assert.ok((point.p50Ms ?? 0) > 0 && (point.p50Ms ?? 0) <= 100);
    assert.ok((point.p99Ms ?? 0) <= 100);
  });

  test('quantileMs interpolates inside the bucket and is null without requests', () => {
    assert.equal(
      quantileMs(
        [
          [0.1, 0],
          [1, 10],
          [Infinity, 10],
        ],
        0.5,
      ),
      550,
    );
    assert.equal(quantileMs([[1, 0]], 0.5), null);
  });

  test('keeps at most its capacity of points', () => {
    const history = new History(3);
    for (let t = 0; t < 10; t++) history.add(rawSample(t * 1000, []));
    assert.equal(history.points.length, 3);
    assert.equal(history.points.at(-1)?.t, 9000);
  });
});

describe('alerts', () => {
  const point = (t: number, over: Partial<StatusPoint> = {}): StatusPoint => ({
    t,
    requestsPerSecond: 10,
    p50Ms: 5,
    p99Ms: 20,
    errorRate: 0,
    dbQueriesPerSecond: 5,
    memoryBytes: 1,
    workerRestarts: 0,
    dbConnectionUse: 0.1,
    ...over,
  });
  const snap = (points: StatusPoint[]): StatusSnapshot => ({
    generatedAt: '',
    intervalSeconds: 10,
    release: 'r',
    components: [],
    points,
  });
  const now = 10 * 60_000;

  test('a quiet stack raises nothing', () => {
    for (const alert of Object.values(ALERTS))
      assert.equal(alert(snap([point(now - 1000)]), now).severity, 'ok');
  });
  test('errors, slow answers, crash loops and a full connection table are critical', () => {
    const bad = [point(now - 20_000), point(now - 10_000), point(now)];
    assert.equal(
      ALERTS['error rate']?.(snap(bad.map((p) => ({ ...p, errorRate: 0.2 }))), now).severity,
      'critical',
    );
    assert.equal(
      ALERTS['latency p99']?.(snap(bad.map((p) => ({ ...p, p99Ms: 3000 }))), now).severity,
      'critical',
    );
    const crashes = bad.map((p, i) => ({ ...p, workerRestarts: 2 + i * 2 }));
    assert.equal(
      ALERTS['worker restarts']?.(snap([point(now - 6 * 60_000, { workerRestarts: 2 }), ...crashes]), now)
        .severity,
      'critical',
    );
    assert.equal(
      ALERTS['database connections']?.(snap([point(now, { dbConnectionUse: 0.95 })]), now).severity,
      'critical',
    );
  });
  test('restarts older than the window are forgiven', () => {
    const old = snap([point(now - 9 * 60_000, { workerRestarts: 5 }), point(now, { workerRestarts: 5 })]);
    assert.equal(ALERTS['worker restarts']?.(old, now).severity, 'ok');
  });
});

describe('renderStackMetrics and lineChart', () => {
  test('the stack metrics are valid text with one sample per component', async () => {
    const component = {
      state: 'running' as const,
      pid: 1,
      healthy: true,
      version: '1',
      uptimeSeconds: 3,
      restarts: 2,
      detail: null,
    };
    const text = await renderStackMetrics({
      components: [
        { name: 'nginx', ...component },
        { name: 'appserver', ...component },
      ],
      nginx: { active: 1, reading: 0, writing: 1, waiting: 0, requests: 42 },
      mariadb: { Queries: 7, Threads_connected: 2, max_connections: 151 },
    });
    const samples = parsePrometheusText(text);
    assert.equal(sumOf(samples, 'webstack_component_restarts_total'), 4);
    assert.equal(sumOf(samples, 'webstack_nginx_requests_total'), 42);
    assert.equal(sumOf(samples, 'webstack_mariadb_queries_total'), 7);
  });

  test('a chart is SVG with presentation attributes only and a point per value', () => {
    const svg = lineChart({
      title: 'T',
      values: [
        [0, 1],
        [1000, 3],
        [2000, null],
        [3000, 2],
      ],
      format: String,
    });
    assert.match(svg, /^<svg [^>]*>.*<\/svg>$/);
    assert.doesNotMatch(svg, /style=|<script/);
    assert.equal(/points="([^"]*)"/.exec(svg)?.[1]?.split(' ').length, 3);
  });
});
