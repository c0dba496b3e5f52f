import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { WebstackError } from '../core/errors.js';
import { HOST_PRIVATE_MOUNTS } from './paths.js';

/** The programs the lab runs, and the Debian package each comes from. */
export const LAB_TOOLS = [
  { program: 'ip', pkg: 'iproute2' },
  { program: 'unshare', pkg: 'util-linux' },
  { program: 'nsenter', pkg: 'util-linux' },
  { program: 'mount', pkg: 'mount' },
  { program: 'umount', pkg: 'mount' },
  { program: 'hostname', pkg: 'hostname' },
  { program: 'sysctl', pkg: 'procps' },
  { program: 'kill', pkg: 'procps' },
  { program: 'sshd', pkg: 'openssh-server' },
  { program: 'ssh-keygen', pkg: 'openssh-client' },
] as const;

const SEARCH_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export function requireRoot(verb: string): void {
  if (process.getuid?.() !== 0) throw new WebstackError('LAB_NOT_ROOT', verb, verb);
}

async function executable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Which of the lab's programs are missing: one error naming every Debian package to install. */
export async function requireTools(): Promise<void> {
  const missing: (typeof LAB_TOOLS)[number][] = [];
  for (const tool of LAB_TOOLS) {
    const found = await Promise.all(SEARCH_PATH.map((dir) => executable(join(dir, tool.program))));
    if (!found.includes(true)) missing.push(tool);
  }
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((tool) => tool.pkg))];
  throw new WebstackError(
    'LAB_TOOLS_MISSING',
    missing.map((tool) => tool.program).join(', '),
    missing.length === 1 ? 'is' : 'are',
    packages.join(' '),
  );
}

/**
 * The lab directory must be absolute, outside the paths each host gets its own copy of (they
 * would hide it inside the hosts), and under no group- or world-writable directory: sshd's
 * StrictModes refuses keys there (e.g. under /tmp).
 */
export async function checkLabDir(dir: string): Promise<string> {
  if (!isAbsolute(dir)) throw new WebstackError('LAB_DIR_RELATIVE', dir, resolve(dir));
  const absolute = resolve(dir);
  for (const covered of Object.values(HOST_PRIVATE_MOUNTS)) {
    if (absolute === covered || absolute.startsWith(`${covered}${sep}`))
      throw new WebstackError('LAB_DIR_COVERED', absolute, covered);
  }
  for (let parent = absolute; ; parent = dirname(parent)) {
    const info = await stat(parent).catch(() => null);
    if (info && (info.uid !== 0 || (info.mode & 0o022) !== 0))
      throw new WebstackError('LAB_DIR_UNSAFE', parent);
    if (parent === dirname(parent)) break;
  }
  return absolute;
}

/** The lab's directory is its own (`lab down` removes it once empty), so `lab up` takes only a new or empty one. */
export async function requireFreshDir(dir: string): Promise<void> {
  const entries = await readdir(dir).catch(() => []);
  if (entries.length > 0) throw new WebstackError('LAB_DIR_NOT_EMPTY', dir);
}
