import type { ResolvedConfig } from '../core/config/load.js';
import { runDaemon } from '../supervisor/daemon.js';

export async function daemonVerb(config: ResolvedConfig, options: { seed?: boolean }): Promise<number> {
  return await runDaemon(config, { seed: options.seed !== false });
}
