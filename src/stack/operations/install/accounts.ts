import { WebstackError } from '../../core/errors.js';
import type { Argv, Host, Owner, RunOptions } from '../../host/host.js';

/** The application's own system account: no home, no login, shared with nothing else. */
export const APP_ACCOUNT = 'webstack-app';

/** One passwd entry by name or uid: exit 0 with the line, or 2 when there is none. */
export function passwdEntry(user: string | number): Argv {
  return ['getent', 'passwd', String(user)];
}

/** A system account for a daemon: no home directory, no shell, its own group. */
export function createSystemUser(name: string): Argv {
  return [
    'useradd',
    '--system',
    '--no-create-home',
    '--home-dir',
    '/nonexistent',
    '--shell',
    '/usr/sbin/nologin',
    name,
  ];
}

/**
 * ARGV run as another account: setpriv (util-linux, in every Debian) switches uid and gid and
 * sets the account's own supplementary groups (none of root's) before it execs. As an argv
 * wrapper it works the same through every Host (over SSH too) and the command line says it.
 */
export function runAsArgv(owner: Owner, argv: Argv, groups: 'init' | 'clear' = 'init'): Argv {
  return [
    'setpriv',
    `--reuid=${owner.uid}`,
    `--regid=${owner.gid}`,
    groups === 'init' ? '--init-groups' : '--clear-groups',
    '--',
    ...argv,
  ];
}

/** Gives a tree to an account (links themselves, never what they point at). */
export function chownTree(owner: Owner, dir: string): Argv {
  return ['chown', '-R', '--no-dereference', `${owner.uid}:${owner.gid}`, '--', dir];
}

/** A passwd line's name and home directory, or null when the account does not exist. */
export async function accountOf(
  host: Host,
  user: string | number,
): Promise<{ name: string; home: string } | null> {
  const { code, stdout } = await host.run(passwdEntry(user), { okCodes: [0, 2] });
  if (code !== 0) return null;
  const fields = stdout.trim().split('\n')[0]?.split(':') ?? [];
  const [name, , , , , home] = fields;
  if (!name || home === undefined) throw new WebstackError('ACCOUNT_UNREADABLE', String(user), stdout.trim());
  return { name, home };
}

/** Creates the application's account when it is missing (root only: the caller checks). */
export async function ensureSystemUser(host: Host, name: string, log: (line: string) => void): Promise<void> {
  if ((await accountOf(host, name)) !== null) return;
  log(`creating the system account ${name}`);
  // Two supervisors starting at once (tests, lab hosts sharing /etc) may race: exit 9 is "already
  // exists", and a failure is fine when the other one created it meanwhile.
  try {
    await host.run(createSystemUser(name), { okCodes: [0, 9] });
  } catch (error) {
    if ((await accountOf(host, name)) === null) throw error;
  }
}

/**
 * The account the application (workers and the site's CLI) runs as when webstack runs as root,
 * created on first use; null when webstack itself is unprivileged (it runs everything as itself).
 */
export async function appRunAs(
  host: Host,
  user: string,
  log: (line: string) => void = () => {},
): Promise<({ user: string } & Owner) | null> {
  if (!(await host.isRoot())) return null;
  await ensureSystemUser(host, user, log);
  return { user, ...(await host.userIds(user)) };
}

/** What npm needs from the supervisor's environment to reach its registry; nothing else of root's. */
const NPM_ENV =
  /^(PATH|LANG|LC_ALL|TZ|NODE_EXTRA_CA_CERTS|(https?|no)_proxy|(HTTPS?|NO)_PROXY|npm_config_\w+)$/;

/**
 * How to run npm for a checkout: one owned by another account runs as that account (its uid, gid,
 * groups and HOME, where npm keeps its cache), never as root running code it does not own. As
 * root on a root-owned checkout, or unprivileged, commands run as they are.
 */
export async function asOwnerOf(
  host: Host,
  dir: string,
): Promise<{ owner: Owner | null; wrap: (argv: Argv) => Argv; env?: RunOptions['env'] }> {
  const info = await host.stat(dir);
  if (!(await host.isRoot()) || info === null || info.uid === 0) return { owner: null, wrap: (argv) => argv };
  const account = await accountOf(host, info.uid);
  if (account === null) throw new WebstackError('BUILD_OWNER_UNKNOWN', dir, info.uid, dir);
  const env: NodeJS.ProcessEnv = { HOME: account.home, USER: account.name, LOGNAME: account.name };
  for (const [key, value] of Object.entries(process.env)) if (NPM_ENV.test(key)) env[key] = value;
  const owner = { uid: info.uid, gid: info.gid };
  return { owner, wrap: (argv) => runAsArgv(owner, argv), env };
}
