import { readFile } from 'node:fs/promises';
import type { ResolvedConfig } from '../config/load.js';
import { statePaths } from '../paths.js';
import { checkZone } from '../services/dns/index.js';
import { writeStackZone } from '../supervisor/zone.js';

export async function dnsVerb(config: ResolvedConfig): Promise<number> {
  const { file, changed } = await writeStackZone(config, statePaths(config.stateDir));
  process.stdout.write(await readFile(file, 'utf8'));
  await checkZone(config.domain, file);
  console.log(`; ${file}: ${changed ? 'written' : 'unchanged'}, accepted by named-checkzone`);
  console.log(
    `; at your registrar, delegate ${config.domain} to a server holding this zone, or create the same A records there`,
  );
  return 0;
}
