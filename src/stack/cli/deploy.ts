import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResolvedConfig } from '../core/config/load.js';
import { statePaths } from '../core/paths.js';
import type { DeployResult } from '../operations/deploy/deployer.js';
import { callSupervisor } from '../supervisor/control/client.js';

/** The checkout this CLI runs from (dist/stack/cli/ → the repository root): the default code base. */
const checkout = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** A deploy may run `npm ci` and a build: give it time. */
const DEPLOY_TIMEOUT_MS = 30 * 60_000;

function operator(): string {
  return process.env.SUDO_USER ?? userInfo().username;
}

export async function deployVerb(
  config: ResolvedConfig,
  options: { build: boolean; args: string[] },
): Promise<number> {
  const dir = resolve(options.args[0] ?? checkout);
  const result = await callSupervisor<DeployResult>(
    statePaths(config.stateDir).control,
    'POST',
    '/deploy',
    { dir, build: options.build, by: operator() },
    DEPLOY_TIMEOUT_MS,
  );
  console.log(
    `deployed release ${result.release} (was ${result.from ?? '-'}) in ${result.seconds.toFixed(1)}s` +
      (result.backup ? `; database backed up to ${result.backup}` : ''),
  );
  return 0;
}

export async function rollbackVerb(config: ResolvedConfig): Promise<number> {
  const result = await callSupervisor<DeployResult>(
    statePaths(config.stateDir).control,
    'POST',
    '/rollback',
    { by: operator() },
    DEPLOY_TIMEOUT_MS,
  );
  console.log(
    `rolled back to release ${result.release} (was ${result.from ?? '-'}) in ${result.seconds.toFixed(1)}s`,
  );
  return 0;
}
