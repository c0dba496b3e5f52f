import type { Argv } from './local.js';

/**
 * ssh hands the remote side ONE string, which the remote user's shell splits again: an argv can
 * only cross it quoted. Each word goes in single quotes (inside them the shell interprets
 * nothing), and a single quote itself is closed, escaped and reopened: ' → '\''.
 */
export function shellQuote(argv: readonly string[]): string {
  return argv
    .map((word) => (/^[A-Za-z0-9_./:@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`))
    .join(' ');
}

export interface SshTarget {
  address: string;
  user: string;
  port: number;
  identityFile?: string;
}

export interface SshFiles {
  /** The pinned host keys: the first contact records a key, a changed one stops the connection. */
  knownHosts: string;
  /** The directory of the multiplexing sockets (kept short: a unix socket path has ~108 bytes). */
  controlDir: string;
  /**
   * This process's own masters (e.g. its pid): a verb that ends closes only its connections, never
   * those another verb, run at the same time, is still using.
   */
  session?: string;
}

/** The options every connection uses: no prompts, pinned keys, one multiplexed connection per host. */
export function sshOptions(target: SshTarget, files: SshFiles): string[] {
  const options = [
    'BatchMode=yes',
    'StrictHostKeyChecking=accept-new',
    `UserKnownHostsFile=${files.knownHosts}`,
    'GlobalKnownHostsFile=/dev/null',
    'HashKnownHosts=no',
    'ControlMaster=auto',
    `ControlPath=${files.controlDir}/%C${files.session === undefined ? '' : `-${files.session}`}`,
    'ControlPersist=120',
    'ConnectTimeout=5',
    'ServerAliveInterval=5',
    'ServerAliveCountMax=3',
    'LogLevel=ERROR',
  ];
  if (target.identityFile !== undefined)
    options.push(`IdentityFile=${target.identityFile}`, 'IdentitiesOnly=yes');
  return [...options.flatMap((option) => ['-o', option]), '-p', String(target.port), '-l', target.user];
}

/**
 * `argv` run on the target. The environment goes in front through env(1), so no value is ever
 * parsed by the remote shell; a user other than root runs it through `sudo -n` (never a prompt).
 */
export function sshRun(
  target: SshTarget,
  files: SshFiles,
  argv: Argv,
  options: { env?: Record<string, string>; cwd?: string } = {},
): Argv {
  const env = Object.entries(options.env ?? {}).map(([key, value]) => `${key}=${value}`);
  let remote: string[] = env.length > 0 ? ['env', ...env, ...argv] : [...argv];
  if (target.user !== 'root') remote = ['sudo', '-n', '--', ...remote];
  let command = shellQuote(remote);
  if (options.cwd !== undefined) command = `cd ${shellQuote([options.cwd])} && ${command}`;
  return ['ssh', ...sshOptions(target, files), '--', target.address, command];
}

/** Ends the multiplexed connection of `target` (the end of a verb). */
export function sshClose(target: SshTarget, files: SshFiles): Argv {
  return ['ssh', ...sshOptions(target, files), '-O', 'exit', '--', target.address];
}

/** The first line of ssh's stderr that explains a failure, mapped to what the operator should do. */
export function sshFailure(stderr: string): 'host-key-changed' | 'unreachable' | 'auth' | null {
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/.test(stderr))
    return 'host-key-changed';
  if (/Permission denied|Too many authentication failures/.test(stderr)) return 'auth';
  if (
    /Connection refused|Connection timed out|No route to host|Network is unreachable|Could not resolve hostname|Connection closed by/.test(
      stderr,
    )
  )
    return 'unreachable';
  return null;
}
