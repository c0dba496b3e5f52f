import assert from 'node:assert/strict';
import { test } from 'node:test';
import { barChart, renderHtmlReport } from '../../../bench/chart.js';
import type { BenchReport, ScenarioResult } from '../../../bench/report.js';

function scenario(name: string, target: 'stack' | 'reference', rps: number): ScenarioResult {
  return {
    name,
    title: name,
    target,
    preflightStatus: 200,
    expected: 200,
    requests: rps * 10,
    requestsPerSecond: rps,
    p50Ms: 2,
    p90Ms: 4,
    p99Ms: 9,
    non2xx: 0,
    socketErrors: 0,
    rssPeak: {} as ScenarioResult['rssPeak'],
    cpuCores: {} as ScenarioResult['cpuCores'],
  };
}

test('bars are scaled to the largest value, references drawn apart', () => {
  const svg = barChart('Throughput', [
    { label: 'ceiling', value: 200, text: '200 req/s', reference: true },
    { label: 'home', value: 100, text: '100 req/s', reference: false },
  ]);
  const widths = [...svg.matchAll(/<rect [^>]*width="(\d+)"/g)].map((m) => Number(m[1]));
  assert.equal(widths.length, 2);
  assert.equal(widths[0], 2 * (widths[1] ?? 0));
  assert.match(svg, /fill="#9aa5b1"/);
  assert.match(svg, /fill="#2563eb"/);
});

test('the HTML report has one bar per scenario in each chart, and escapes every name', () => {
  const report = {
    startedAt: '2026-11-29T15:00:00Z',
    mode: 'smoke',
    settings: {
      durationSeconds: 1,
      connections: 8,
      threads: 1,
      articles: 10,
      products: 5,
      workers: 2,
      loadAverage: 0.5,
    },
    scenarios: [scenario('static <copy>', 'reference', 20000), scenario('home', 'stack', 15000)],
    targets: [{ name: 'home & cache', goal: '≥ 0.7×', measured: '0.75×', met: true }],
  } as unknown as BenchReport;
  const html = renderHtmlReport(report);
  assert.equal(html.match(/<svg /g)?.length, 3);
  assert.equal(html.match(/<rect /g)?.length, 6);
  assert.match(html, /static &#60;copy&#62;/);
  assert.doesNotMatch(html, /static <copy>/);
  assert.match(html, /home &#38; cache/);
});
