import { join } from 'node:path';
import { SITE_ASSETS_DIR } from '../../../contract.js';
import type { StatePaths } from '../../core/paths.js';
import type { Host } from '../../host/host.js';
import { copyTree } from '../release/commands.js';

/** Copies a release's hashed assets into the shared directory Nginx serves: names never collide. */
export async function publishAssets(host: Host, paths: StatePaths, releaseDir: string): Promise<void> {
  await host.mkdir(paths.publicAssets, { mode: 0o755 });
  const source = join(releaseDir, SITE_ASSETS_DIR);
  if (await host.exists(source)) await host.run(copyTree(`${source}/.`, paths.publicAssets));
}
