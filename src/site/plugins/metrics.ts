import cluster from 'node:cluster';
import {
  AggregatorRegistry,
  Counter,
  collectDefaultMetrics,
  Gauge,
  Histogram,
  type Metric,
  register,
} from 'prom-client';
import { SITE_METRICS } from '../../contract.js';
import { globalPlugin } from './global.js';

/** A metric already in the default registry (buildApp may run more than once in a process). */
function once<M extends Metric>(name: string, create: () => M): M {
  return (register.getSingleMetric(name) as M | undefined) ?? create();
}

let processMetrics = false;

/**
 * Request metrics in prom-client's default registry. The supervisor (the cluster primary) sums every
 * worker's registry over IPC and serves the result on loopback; the site itself exposes no
 * metrics route, so nothing here is reachable from the public server.
 */
export const metricsPlugin = globalPlugin('metrics', async (app) => {
  if (!processMetrics) {
    processMetrics = true;
    // Heap, RSS, event-loop lag, GC: per process, summed by the primary.
    collectDefaultMetrics();
    // Constructing it installs the worker's answer to the primary's 'prom-client:getMetricsReq'.
    if (cluster.isWorker) new AggregatorRegistry();
  }
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = once(
    SITE_METRICS.requests,
    () => new Counter({ name: SITE_METRICS.requests, help: 'Requests answered', labelNames }),
  );
  const duration = once(
    SITE_METRICS.duration,
    () =>
      new Histogram({
        name: SITE_METRICS.duration,
        help: 'Time to answer a request',
        labelNames,
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      }),
  );
  const inFlight = once(
    'http_requests_in_flight',
    () => new Gauge({ name: 'http_requests_in_flight', help: 'Requests being answered' }),
  );

  app.addHook('onRequest', async () => {
    inFlight.inc();
  });
  app.addHook('onResponse', async (request, reply) => {
    inFlight.dec();
    // Health probes (the supervisor's, every few seconds) would drown the idle rate: not counted.
    if (request.routeOptions.config.quiet) return;
    // The route pattern, never the raw URL: unmatched paths must not grow the label set.
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });
});
