import { join } from 'node:path';
import { WebstackError } from '../../core/errors.js';
import type { Argv, Host, RunOptions } from '../../host/host.js';
import { CommandFailed } from '../../host/host.js';
import { accountOf, runAsArgv } from '../install/accounts.js';
import { buildSite } from '../release/commands.js';

/** Installs a checkout's dependencies (dev ones too: the build needs them) exactly as locked. */
export function installBuildDeps(): Argv {
  return ['npm', 'ci', '--no-audit', '--no-fund', '--loglevel=error'];
}

/** What npm needs from the supervisor's environment to reach its registry; nothing else of root's. */
const BUILD_ENV =
  /^(PATH|LANG|LC_ALL|TZ|NODE_EXTRA_CA_CERTS|(https?|no)_proxy|(HTTPS?|NO)_PROXY|npm_config_\w+)$/;

/**
 * How the build runs: a checkout owned by another account is built by that account (its uid, gid,
 * groups and HOME, where npm keeps its cache), never by root running code it does not own.
 */
async function buildAs(
  host: Host,
  dir: string,
): Promise<{ wrap: (argv: Argv) => Argv; env?: RunOptions['env'] }> {
  const owner = await host.stat(dir);
  if (!(await host.isRoot()) || owner === null || owner.uid === 0) return { wrap: (argv) => argv };
  const account = await accountOf(host, owner.uid);
  if (account === null) throw new WebstackError('BUILD_OWNER_UNKNOWN', dir, owner.uid, dir);
  const env: NodeJS.ProcessEnv = { HOME: account.home, USER: account.name, LOGNAME: account.name };
  for (const [key, value] of Object.entries(process.env)) if (BUILD_ENV.test(key)) env[key] = value;
  return { wrap: (argv) => runAsArgv({ uid: owner.uid, gid: owner.gid }, argv), env };
}

/** `npm ci` when the checkout has no node_modules yet, then `npm run build`; fails before anything changes. */
export async function buildCheckout(host: Host, dir: string, log: (line: string) => void): Promise<void> {
  const as = await buildAs(host, dir);
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
