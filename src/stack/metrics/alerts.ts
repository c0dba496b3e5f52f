import { readFile } from 'node:fs/promises';
import type { StatusPoint, StatusSnapshot } from '../../contract.js';
import { statePaths } from '../core/paths.js';
import { type Check, type CheckResult, ok } from '../doctor/check.js';

/** Alert thresholds: [warning, critical]. */
export const THRESHOLDS = {
  errorRate: [0.01, 0.05],
  p99Ms: [500, 2000],
  restarts: [1, 3],
  dbConnectionUse: [0.75, 0.9],
} as const;

/** How far back doctor looks. */
export const WINDOW_MS = 5 * 60_000;

type Result = CheckResult;

function level(value: number, [warning, critical]: readonly [number, number]): 'ok' | 'warning' | 'critical' {
  return value >= critical ? 'critical' : value >= warning ? 'warning' : 'ok';
}

/** The points of the last WINDOW_MS, and the one before them (the baseline of counters). */
export function windowOf(
  snapshot: StatusSnapshot,
  now: number,
): { points: StatusPoint[]; before: StatusPoint | null } {
  const start = snapshot.points.findIndex((p) => p.t >= now - WINDOW_MS);
  if (start < 0) return { points: [], before: snapshot.points.at(-1) ?? null };
  return { points: snapshot.points.slice(start), before: snapshot.points[start - 1] ?? null };
}

/** Each alert as a function of the snapshot: pure, so it is tested without a stack. */
export const ALERTS: Record<string, (snapshot: StatusSnapshot, now: number) => Result> = {
  'error rate': (snapshot, now) => {
    const { points } = windowOf(snapshot, now);
    const requests = points.reduce((a, p) => a + p.requestsPerSecond, 0);
    const errors = points.reduce((a, p) => a + p.requestsPerSecond * p.errorRate, 0);
    const rate = requests > 0 ? errors / requests : 0;
    const severity = level(rate, THRESHOLDS.errorRate);
    const detail = `${(rate * 100).toFixed(1)}% of answers were 5xx in the last 5 minutes`;
    return severity === 'ok'
      ? ok(detail)
      : {
          severity,
          detail,
          fix: 'read `webstack logs app` for the failing requests; roll back with `webstack rollback` if a deploy caused it',
        };
  },
  'latency p99': (snapshot, now) => {
    const recent = windowOf(snapshot, now)
      .points.slice(-3)
      .map((p) => p.p99Ms ?? 0);
    const p99 = recent.length ? Math.min(...recent) : 0; // sustained, not one spike
    const severity = level(p99, THRESHOLDS.p99Ms);
    const detail = `p99 ${p99.toFixed(0)} ms over the last samples`;
    return severity === 'ok'
      ? ok(detail)
      : {
          severity,
          detail,
          fix: 'check slow queries (`webstack metrics | grep slow_queries`), database load and worker count (app.workers)',
        };
  },
  'worker restarts': (snapshot, now) => {
    const { points, before } = windowOf(snapshot, now);
    const last = points.at(-1)?.workerRestarts ?? 0;
    const restarts = last - (before?.workerRestarts ?? 0);
    const severity = level(restarts, THRESHOLDS.restarts);
    const detail = `${restarts} application worker crash(es) in the last 5 minutes`;
    return severity === 'ok'
      ? ok(detail)
      : {
          severity,
          detail,
          fix: 'a worker is crashing in a loop: read `webstack logs app` for the crash, then fix or `webstack rollback`',
        };
  },
  'database connections': (snapshot) => {
    const use = snapshot.points.at(-1)?.dbConnectionUse ?? 0;
    const severity = level(use, THRESHOLDS.dbConnectionUse);
    const detail = `${(use * 100).toFixed(0)}% of max_connections in use`;
    return severity === 'ok'
      ? ok(detail)
      : {
          severity,
          detail,
          fix: 'lower database.poolSize × workers, or raise max_connections in the MariaDB config',
        };
  },
};

/** Doctor's alerting pass: the same numbers as the status page, from the supervisor's snapshot. */
export const ALERT_CHECKS: readonly Check[] = Object.entries(ALERTS).map(([title, alert]) => ({
  title,
  async run(config, { running }) {
    if (!running) return ok('the stack is not running');
    const file = statePaths(config.stateDir).statusSnapshot;
    const text = await readFile(file, 'utf8').catch(() => null);
    if (text === null)
      return {
        severity: 'warning',
        detail: 'no metrics sampled yet',
        fix: `wait ${config.metrics.sampleSeconds * 2}s and run doctor again`,
      };
    return alert(JSON.parse(text) as StatusSnapshot, Date.now());
  },
}));
