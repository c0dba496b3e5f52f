import type { StatusSnapshot } from '../../../contract.js';
import type { PageContext } from '../../views/context.js';
import { Layout } from '../../views/layout.js';
import { lineChart, type Series } from './charts.js';

function duration(seconds: number | null): string {
  if (seconds === null) return '-';
  const s = Math.round(seconds);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 3600)}h`;
}

const fixed = (digits: number, unit: string) => (v: number) => `${v.toFixed(digits)}${unit}`;

function charts(snapshot: StatusSnapshot): Series[] {
  const at = <T,>(pick: (p: StatusSnapshot['points'][number]) => T) =>
    snapshot.points.map((p) => [p.t, pick(p)]);
  return [
    { title: 'Requests per second', values: at((p) => p.requestsPerSecond), format: fixed(1, '/s') },
    { title: 'Latency p50 (ms)', values: at((p) => p.p50Ms), format: fixed(0, ' ms') },
    { title: 'Latency p99 (ms)', values: at((p) => p.p99Ms), format: fixed(0, ' ms') },
    { title: 'Error rate (5xx)', values: at((p) => p.errorRate * 100), format: fixed(1, '%') },
    { title: 'Database queries per second', values: at((p) => p.dbQueriesPerSecond), format: fixed(0, '/s') },
    { title: 'Worker memory (RSS)', values: at((p) => p.memoryBytes / 2 ** 20), format: fixed(0, ' MiB') },
  ] as Series[];
}

function latest(series: Series): string {
  const value = series.values.at(-1)?.[1];
  return value === null || value === undefined ? 'no data' : series.format(value);
}

/** The stack's health and the last hour, readable without JavaScript. */
export function StatusPage({
  context,
  snapshot,
}: {
  context: PageContext;
  snapshot: StatusSnapshot | null;
}): JSX.Element {
  return (
    <Layout title="Stack status" context={context}>
      <h1>Stack status</h1>
      {snapshot === null ? (
        <p class="notice">No status yet: the supervisor writes it every few seconds once the stack is up.</p>
      ) : (
        <>
          <p>
            Release <strong safe>{snapshot.release ?? '-'}</strong>, as of{' '}
            <time datetime={snapshot.generatedAt} safe>
              {snapshot.generatedAt}
            </time>
            .
          </p>
          <table class="status-table">
            <thead>
              <tr>
                <th>Component</th>
                <th>State</th>
                <th>Health</th>
                <th>Version</th>
                <th>Uptime</th>
                <th>Restarts</th>
                <th>Detail</th>
              </tr>
            </thead>
            <tbody>
              {snapshot.components.map((c) => (
                <tr>
                  <td safe>{c.name}</td>
                  <td safe>{c.state}</td>
                  <td>{c.healthy ? 'healthy' : 'UNHEALTHY'}</td>
                  <td safe>{c.version ?? '-'}</td>
                  <td>{duration(c.uptimeSeconds)}</td>
                  <td>{String(c.restarts)}</td>
                  <td safe>{c.detail ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Last hour</h2>
          {charts(snapshot).map((series) => (
            <figure class="status-chart">
              <figcaption>
                <span safe>{series.title}</span>: now <span safe>{latest(series)}</span>
              </figcaption>
              {/* Built from numbers and constant labels only (see lineChart). */}
              {lineChart(series)}
            </figure>
          ))}
        </>
      )}
    </Layout>
  );
}
