/**
 * The bench report as a page: throughput and latency per scenario drawn as SVG bars, with the
 * reference points (static ceiling, bare node:http, bare Fastify + mysql2) beside the stack's own
 * scenarios, and the targets table. Pure; every text is escaped.
 */
import type { BenchReport, ScenarioResult } from './report.js';

const BAR_H = 22;
const GAP = 6;
const LABEL_W = 260;
const CHART_W = 820;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface Bar {
  label: string;
  value: number;
  text: string;
  reference: boolean;
}

/** Horizontal bars, one per row, scaled to the largest value. */
export function barChart(title: string, bars: readonly Bar[]): string {
  const top = Math.max(...bars.map((b) => b.value), 0) || 1;
  const width = CHART_W - LABEL_W - 90;
  const height = bars.length * (BAR_H + GAP) + 30;
  const rows = bars.map((bar, i) => {
    const y = 24 + i * (BAR_H + GAP);
    const w = Math.max(1, Math.round((bar.value / top) * width));
    const fill = bar.reference ? '#9aa5b1' : '#2563eb';
    return [
      `<text x="${LABEL_W - 8}" y="${y + 15}" text-anchor="end" font-size="13" fill="#1f2933">${escapeHtml(bar.label)}</text>`,
      `<rect x="${LABEL_W}" y="${y}" width="${w}" height="${BAR_H}" fill="${fill}"/>`,
      `<text x="${LABEL_W + w + 6}" y="${y + 15}" font-size="12" fill="#1f2933">${escapeHtml(bar.text)}</text>`,
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_W}" height="${height}" role="img" aria-label="${escapeHtml(title)}">`,
    `<text x="0" y="14" font-size="14" font-weight="bold" fill="#1f2933">${escapeHtml(title)}</text>`,
    ...rows,
    '</svg>',
  ].join('\n');
}

function scenarioBars(
  scenarios: readonly ScenarioResult[],
  pick: (s: ScenarioResult) => number,
  unit: string,
): Bar[] {
  return scenarios.map((s) => ({
    label: s.title,
    value: pick(s),
    text: `${pick(s).toLocaleString('en', { maximumFractionDigits: 1 })} ${unit}`,
    reference: s.target === 'reference',
  }));
}

export function renderHtmlReport(report: BenchReport): string {
  const targets = report.targets
    .map(
      (t) =>
        `<tr><td>${escapeHtml(t.name)}</td><td>${escapeHtml(t.goal)}</td><td>${escapeHtml(t.measured)}</td><td>${t.met === null ? 'n/a' : t.met ? 'met' : 'missed'}</td></tr>`,
    )
    .join('\n');
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>webstack bench</title></head><body>',
    `<h1>webstack bench, ${escapeHtml(report.startedAt)} (${escapeHtml(report.mode)})</h1>`,
    `<p>${report.settings.connections} connections, ${report.settings.durationSeconds} s per scenario, ${report.settings.workers} workers, load average ${report.settings.loadAverage.toFixed(2)} before the run. Blue: the stack; grey: reference points.</p>`,
    barChart(
      'Throughput (requests per second)',
      scenarioBars(report.scenarios, (s) => s.requestsPerSecond, 'req/s'),
    ),
    barChart(
      'Latency p50 (ms)',
      scenarioBars(report.scenarios, (s) => s.p50Ms, 'ms'),
    ),
    barChart(
      'Latency p99 (ms)',
      scenarioBars(report.scenarios, (s) => s.p99Ms, 'ms'),
    ),
    '<h2>Targets</h2>',
    `<table><thead><tr><th>target</th><th>goal</th><th>measured</th><th>result</th></tr></thead><tbody>\n${targets}\n</tbody></table>`,
    '</body></html>',
    '',
  ].join('\n');
}
