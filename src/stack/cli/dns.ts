import { checkZone } from '../components/dns/index.js';
import { writeStackZone } from '../components/dns/stack-zone.js';
import type { ResolvedConfig } from '../core/config/load.js';
import { statePaths } from '../core/paths.js';
import { localHost } from '../host/index.js';

export async function dnsVerb(config: ResolvedConfig): Promise<number> {
  const { file, changed } = await writeStackZone(localHost, config, statePaths(config.stateDir));
  process.stdout.write((await localHost.readText(file)) ?? '');
  await checkZone(config.domain, file, localHost);
  console.log(`; ${file}: ${changed ? 'written' : 'unchanged'}, accepted by named-checkzone`);
  console.log(
    `; at your registrar, delegate ${config.domain} to a server holding this zone, or create the same A records there`,
  );
  return 0;
}
