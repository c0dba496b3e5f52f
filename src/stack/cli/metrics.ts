import type { ResolvedConfig } from '../core/config/load.js';
import { statePaths } from '../core/paths.js';
import { callSupervisor } from '../supervisor/control/client.js';

/** Prints every metric of the running stack in the Prometheus text format (what the endpoint serves). */
export async function metricsVerb(
  config: ResolvedConfig,
  options: { url?: boolean; tokenFile?: boolean },
): Promise<number> {
  const paths = statePaths(config.stateDir);
  if (options.tokenFile) {
    process.stdout.write(`${paths.metricsToken}\n`);
    return 0;
  }
  const metrics = await callSupervisor<{ url: string; text: string }>(
    paths.control,
    'GET',
    '/metrics',
    undefined,
    15_000,
  );
  if (options.url) {
    process.stdout.write(`${metrics.url}\n`);
    process.stderr.write(
      `it requires the bearer token in ${paths.metricsToken} (Prometheus: authorization: { credentials_file: ${paths.metricsToken} })\n`,
    );
  } else process.stdout.write(metrics.text);
  return 0;
}
