import type { ResolvedConfig } from '../core/config/load.js';
import { localHost } from '../host/index.js';
import { ensurePackages } from '../operations/install/install.js';

export async function installVerb(
  _config: ResolvedConfig,
  options: { withTestTools?: boolean },
): Promise<number> {
  const installed = await ensurePackages(localHost, {
    withTestTools: options.withTestTools === true,
    log: (line) => console.log(line),
  });
  console.log(installed.length === 0 ? 'all Debian packages present' : `installed ${installed.join(', ')}`);
  return 0;
}
