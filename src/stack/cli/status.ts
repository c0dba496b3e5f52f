import type { ResolvedConfig } from '../config/load.js';
import { callSupervisor } from '../control/client.js';
import type { StackStatus } from '../control/types.js';
import { isWebstackError } from '../errors.js';
import { statePaths } from '../paths.js';
import { formatDuration, table } from './output.js';

/** Everything is healthy only when the supervisor is ready and every component says so. */
export function isHealthy(status: StackStatus): boolean {
  return status.supervisor.ready && status.components.every((c) => c.healthy);
}

export function renderStatus(status: StackStatus): string {
  const rows = status.components.map((c) => [
    c.name,
    c.state,
    c.pid === null ? '-' : String(c.pid),
    c.healthy ? 'healthy' : 'UNHEALTHY',
    c.version ?? '-',
    formatDuration(c.uptimeSeconds),
    String(c.restarts),
    c.detail ?? '',
  ]);
  return [
    `webstack ${status.supervisor.ready ? 'up' : 'starting'} at ${status.url} (supervisor pid ${status.supervisor.pid}, up ${formatDuration(status.supervisor.uptimeSeconds)})`,
    `release ${status.release ?? '-'}`,
    '',
    table(['COMPONENT', 'STATE', 'PID', 'HEALTH', 'VERSION', 'UPTIME', 'RESTARTS', 'DETAIL'], rows),
  ].join('\n');
}

export async function statusVerb(config: ResolvedConfig, options: { json?: boolean }): Promise<number> {
  const paths = statePaths(config.stateDir);
  let status: StackStatus;
  try {
    status = await callSupervisor<StackStatus>(paths.control, 'GET', '/status', undefined, 15_000);
  } catch (error) {
    if (isWebstackError(error) && error.code === 'STACK_DOWN') {
      if (options.json) console.log(JSON.stringify({ running: false }));
      else console.log('webstack is down (run `webstack up`)');
      return 1;
    }
    throw error;
  }
  console.log(
    options.json
      ? JSON.stringify({ running: true, healthy: isHealthy(status), ...status }, null, 2)
      : renderStatus(status),
  );
  return isHealthy(status) ? 0 : 1;
}
