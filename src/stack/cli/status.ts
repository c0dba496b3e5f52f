import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import type { StatusSnapshot } from '../../contract.js';
import type { ResolvedConfig } from '../core/config/load.js';
import { isWebstackError } from '../core/errors.js';
import { statePaths } from '../core/paths.js';
import { callSupervisor } from '../supervisor/control/client.js';
import type { ComponentStatus, StackStatus } from '../supervisor/control/types.js';
import { formatDuration, table } from './output.js';
import { renderCertificate } from './tls.js';

const WATCH_INTERVAL_MS = 2_000;

/** Everything is healthy only when the supervisor is ready and every component says so. */
export function isHealthy(status: StackStatus): boolean {
  return status.supervisor.ready && status.components.every((c) => c.healthy);
}

/** One component as a row of the status tables: NAME STATE PID HEALTH VERSION UPTIME RESTARTS DETAIL. */
export function componentRow(c: ComponentStatus): string[] {
  return [
    c.name,
    c.state,
    c.pid === null ? '-' : String(c.pid),
    c.healthy ? 'healthy' : 'UNHEALTHY',
    c.version ?? '-',
    formatDuration(c.uptimeSeconds),
    String(c.restarts),
    c.detail ?? '',
  ];
}

export function renderStatus(status: StackStatus): string {
  const rows = status.components.map(componentRow);
  return [
    `webstack ${status.supervisor.ready ? 'up' : 'starting'} at ${status.url} (supervisor pid ${status.supervisor.pid}, up ${formatDuration(status.supervisor.uptimeSeconds)})`,
    `release ${status.release ?? '-'}`,
    '',
    table(['COMPONENT', 'STATE', 'PID', 'HEALTH', 'VERSION', 'UPTIME', 'RESTARTS', 'DETAIL'], rows),
    ...(status.tls ? ['', ...renderCertificate(status.tls)] : []),
  ].join('\n');
}

/** One line of live traffic from the supervisor's newest sample (what the status page charts). */
export function renderTraffic(snapshot: StatusSnapshot | null): string {
  const point = snapshot?.points.at(-1);
  if (!snapshot || !point) return 'traffic: no sample yet';
  const ms = (value: number | null) => (value === null ? '-' : `${value.toFixed(1)} ms`);
  return [
    `traffic (last ${snapshot.intervalSeconds}s): ${point.requestsPerSecond.toFixed(1)} req/s`,
    `p50 ${ms(point.p50Ms)}`,
    `p99 ${ms(point.p99Ms)}`,
    `5xx ${(point.errorRate * 100).toFixed(2)}%`,
    `db ${point.dbQueriesPerSecond.toFixed(1)} q/s`,
    `workers ${(point.memoryBytes / 2 ** 20).toFixed(0)} MiB`,
  ].join(' · ');
}

async function readSnapshot(file: string): Promise<StatusSnapshot | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as StatusSnapshot;
  } catch {
    return null;
  }
}

async function fetchStatus(control: string, json: boolean): Promise<StackStatus | null> {
  try {
    return await callSupervisor<StackStatus>(control, 'GET', '/status', undefined, 15_000);
  } catch (error) {
    if (isWebstackError(error) && error.code === 'STACK_DOWN') {
      if (json) console.log(JSON.stringify({ running: false }));
      else console.log('webstack is down (run `webstack up`)');
      return null;
    }
    throw error;
  }
}

export async function statusVerb(
  config: ResolvedConfig,
  options: { json?: boolean; watch?: boolean; count?: string },
): Promise<number> {
  const paths = statePaths(config.stateDir);
  if (options.watch)
    return await watch(
      paths.control,
      paths.statusSnapshot,
      Number(options.count ?? Number.POSITIVE_INFINITY),
    );
  const status = await fetchStatus(paths.control, options.json === true);
  if (!status) return 1;
  console.log(
    options.json
      ? JSON.stringify({ running: true, healthy: isHealthy(status), ...status }, null, 2)
      : renderStatus(status),
  );
  return isHealthy(status) ? 0 : 1;
}

/** Redraws the table and the live traffic line every 2 s until Ctrl-C (or `count` frames). */
async function watch(control: string, snapshotFile: string, count: number): Promise<number> {
  const tty = process.stdout.isTTY === true;
  let healthy = false;
  for (let frame = 0; frame < count; frame++) {
    if (frame > 0) await delay(WATCH_INTERVAL_MS);
    const status = await fetchStatus(control, false);
    if (!status) return 1;
    healthy = isHealthy(status);
    // On a terminal: clear and redraw; otherwise successive frames, separated by a blank line.
    const frameText = `${renderStatus(status)}\n\n${renderTraffic(await readSnapshot(snapshotFile))}\n`;
    process.stdout.write(tty ? `\x1b[H\x1b[2J${frameText}` : `${frameText}\n`);
  }
  return healthy ? 0 : 1;
}
