import { join } from 'node:path';
import { SITE_CLI } from '../../contract.js';
import { type DbRole, databaseCa, siteEnv } from '../components/appserver/site-env.js';
import type { ResolvedConfig } from '../core/config/load.js';
import { WebstackError } from '../core/errors.js';
import type { StatePaths } from '../core/paths.js';
import { ensureSecrets } from '../core/secrets.js';
import type { Argv, Host, RunResult } from '../host/host.js';
import { appRunAs, runAsArgv } from './install/accounts.js';
import { currentRelease, releaseDir } from './release/release.js';

/**
 * Runs the site's own command line (migrate, seed, user-add) from a release, with the database
 * account the task needs: migrations as the migrator (DDL), everything else as the app (DML).
 * When webstack runs as root, the process runs as the application's system account.
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
  const env = siteEnv(config, paths, secrets, options.role, release, await databaseCa(host, config, paths));
  const dir = releaseDir(paths, release);
  const argv: Argv = [process.execPath, join(dir, SITE_CLI), ...args];
  // As the application's account, like the workers: the migrator's rights come from the
  // credentials in its environment, never from running as root.
  const runAs = await appRunAs(host, config.app.user);
  return await host.run(runAs ? runAsArgv(runAs, argv) : argv, {
    env,
    cwd: dir,
    timeoutMs: 600_000,
    // Always close stdin: the site's CLI reads a password from a piped stdin until it ends.
    input: options.input ?? '',
  });
}
