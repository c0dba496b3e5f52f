import { SITE_METRICS, type StatusPoint } from '../../contract.js';
import { type PromSample, sumOf } from './parse.js';

/** The counters of one scrape that the status page and doctor turn into rates. */
export interface RawSample {
  t: number;
  requests: number;
  errors: number;
  /** Cumulative latency histogram: upper bound in seconds → count. */
  buckets: [number, number][];
  dbQueries: number;
  memoryBytes: number;
  workerRestarts: number;
  dbConnectionUse: number;
}

export const REQUESTS = SITE_METRICS.requests;
export const DURATION = SITE_METRICS.duration;

/** Picks the numbers the history keeps out of one scrape of the aggregated metrics. */
export function rawSample(t: number, samples: readonly PromSample[]): RawSample {
  const bounds = new Map<number, number>();
  for (const s of samples.filter((x) => x.name === `${DURATION}_bucket`)) {
    const le = s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le);
    bounds.set(le, (bounds.get(le) ?? 0) + s.value);
  }
  const maxConnections = sumOf(samples, 'webstack_mariadb_max_connections');
  return {
    t,
    requests: sumOf(samples, REQUESTS),
    errors: samples
      .filter((s) => s.name === REQUESTS && (s.labels.status ?? '').startsWith('5'))
      .reduce((a, s) => a + s.value, 0),
    buckets: [...bounds.entries()].sort((a, b) => a[0] - b[0]),
    dbQueries: sumOf(samples, 'webstack_mariadb_queries_total'),
    memoryBytes: sumOf(samples, 'process_resident_memory_bytes'),
    workerRestarts: sumOf(samples, 'webstack_component_restarts_total', { component: 'appserver' }),
    dbConnectionUse:
      maxConnections > 0 ? sumOf(samples, 'webstack_mariadb_threads_connected') / maxConnections : 0,
  };
}

/** histogram_quantile over bucket deltas, interpolating linearly inside the bucket (in ms). */
export function quantileMs(buckets: [number, number][], q: number): number | null {
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return lower * 1000;
      const inBucket = count - below;
      const share = inBucket > 0 ? (rank - below) / inBucket : 1;
      return (lower + (le - lower) * share) * 1000;
    }
    lower = le;
    below = count;
  }
  return lower * 1000;
}

/** The rates between two scrapes. Counters that went down (a worker restarted) count from zero. */
export function pointBetween(a: RawSample, b: RawSample): StatusPoint {
  const seconds = Math.max((b.t - a.t) / 1000, 0.001);
  const delta = (x: number, y: number) => (y >= x ? y - x : y);
  const requests = delta(a.requests, b.requests);
  const previous = new Map(a.buckets);
  const buckets = b.buckets.map(([le, n]): [number, number] => [le, delta(previous.get(le) ?? 0, n)]);
  return {
    t: b.t,
    requestsPerSecond: requests / seconds,
    p50Ms: quantileMs(buckets, 0.5),
    p99Ms: quantileMs(buckets, 0.99),
    errorRate: requests > 0 ? Math.min(1, delta(a.errors, b.errors) / requests) : 0,
    dbQueriesPerSecond: delta(a.dbQueries, b.dbQueries) / seconds,
    memoryBytes: b.memoryBytes,
    workerRestarts: b.workerRestarts,
    dbConnectionUse: b.dbConnectionUse,
  };
}

/** A bounded ring of points: the last `capacity` intervals. */
export class History {
  private last: RawSample | null = null;
  readonly points: StatusPoint[] = [];

  constructor(readonly capacity: number) {}

  add(sample: RawSample): void {
    if (this.last) this.points.push(pointBetween(this.last, sample));
    if (this.points.length > this.capacity) this.points.splice(0, this.points.length - this.capacity);
    this.last = sample;
  }
}
