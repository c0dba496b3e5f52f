import type { ResolvedConfig } from '../../core/config/load.js';
import type { StatePaths } from '../../core/paths.js';
import type { Host } from '../../host/host.js';
import { writeZone } from './index.js';

/** Writes the domain's zone file (serial bumped only on change), checked by named-checkzone. */
export async function writeStackZone(
  host: Host,
  config: ResolvedConfig,
  paths: StatePaths,
): Promise<{ file: string; changed: boolean }> {
  const file = paths.dns.zone(config.domain);
  const result = await writeZone(host, { file, domain: config.domain, serverIp: config.serverIp });
  return { file, changed: result.changed };
}
