import type { ResolvedConfig } from '../core/config/load.js';
import { statePaths } from '../core/paths.js';
import { callSupervisor } from '../supervisor/control/client.js';

/** Prints every metric of the running stack in the Prometheus text format (what the endpoint serves). */
export async function metricsVerb(config: ResolvedConfig, options: { url?: boolean }): Promise<number> {
  const paths = statePaths(config.stateDir);
  const metrics = await callSupervisor<{ url: string; text: string }>(
    paths.control,
    'GET',
    '/metrics',
    undefined,
    15_000,
  );
  process.stdout.write(options.url ? `${metrics.url}\n` : metrics.text);
  return 0;
}
