import { join } from 'node:path';
import { SITE_CLI } from '../../contract.js';
import { type DbRole, siteEnv } from '../components/appserver/site-env.js';
import type { ResolvedConfig } from '../core/config/load.js';
import { WebstackError } from '../core/errors.js';
import type { StatePaths } from '../core/paths.js';
import { ensureSecrets } from '../core/secrets.js';
import type { Host, RunResult } from '../host/host.js';
import { currentRelease, releaseDir } from './release/release.js';

/**
 * Runs the site's own command line (migrate, seed, user-add) from a release, with the database
 * account the task needs: migrations as the migrator (DDL), everything else as the app (DML).
 */
export async function runSiteCli(
  host: Host,
  config: ResolvedConfig,
  paths: StatePaths,
  args: readonly string[],
  options: { role: DbRole; release?: string; input?: string },
): Promise<RunResult> {
  const release = options.release ?? (await currentRelease(host, paths));
  if (release === null) {
    throw new WebstackError('NO_RELEASE');
  }
  const secrets = await ensureSecrets(host, paths.secrets);
  const env = siteEnv(config, paths, secrets, options.role, release);
  return await host.run([process.execPath, join(releaseDir(paths, release), SITE_CLI), ...args], {
    env,
    timeoutMs: 600_000,
    // Always close stdin: the site's CLI reads a password from a piped stdin until it ends.
    input: options.input ?? '',
  });
}
