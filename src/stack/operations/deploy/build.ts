import { join } from 'node:path';
import { WebstackError } from '../../core/errors.js';
import type { Argv, Host } from '../../host/host.js';
import { CommandFailed } from '../../host/host.js';
import { asOwnerOf } from '../install/accounts.js';
import { buildSite } from '../release/commands.js';

/** Installs a checkout's dependencies (dev ones too: the build needs them) exactly as locked. */
export function installBuildDeps(): Argv {
  return ['npm', 'ci', '--no-audit', '--no-fund', '--loglevel=error'];
}

/** `npm ci` when the checkout has no node_modules yet, then `npm run build`; fails before anything changes. */
export async function buildCheckout(host: Host, dir: string, log: (line: string) => void): Promise<void> {
  const as = await asOwnerOf(host, dir);
  const step = async (title: string, argv: Argv) => {
    log(title);
    try {
      await host.run(as.wrap(argv), { cwd: dir, timeoutMs: 900_000, ...(as.env ? { env: as.env } : {}) });
    } catch (error) {
      const detail =
        error instanceof CommandFailed ? (error.result.stderr || error.result.stdout).trim() : '';
      throw new WebstackError(
        'DEPLOY_BUILD_FAILED',
        title,
        dir,
        detail ? `:\n${detail.split('\n').slice(-15).join('\n')}` : '',
        { cause: error },
      );
    }
  };
  if (!(await host.exists(join(dir, 'node_modules'))))
    await step('installing dependencies (npm ci)', installBuildDeps());
  await step('building (npm run build)', buildSite());
}
