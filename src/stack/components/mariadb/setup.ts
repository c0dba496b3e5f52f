import { dirname } from 'node:path';
import { WebstackError } from '../../core/errors.js';
import type { Host } from '../../host/host.js';
import * as mariadb from './commands.js';
import { collationFor, type MyCnfOptions, mariadbTmpDir, renderMyCnf } from './my-cnf.js';

/** The OS account mariadbd runs as: `mysql` when we are root (it refuses root), else ourselves. */
export interface RunAs {
  user: string;
  uid: number;
  gid: number;
}

export async function mariadbRunAs(host: Host): Promise<RunAs | undefined> {
  if (!(await host.isRoot())) return undefined;
  const { uid, gid } = await host.userIds(mariadb.MARIADB_OS_USER);
  return { user: mariadb.MARIADB_OS_USER, uid, gid };
}

/** e.g. "10.11.19-MariaDB-0+deb12u1", from `mariadbd --version`. */
export async function installedVersion(host: Host): Promise<string> {
  const { stdout } = await host.run(mariadb.version());
  const match = /Ver\s+(\S+)/.exec(stdout);
  if (!match?.[1]) throw new WebstackError('MARIADB_VERSION', stdout.trim());
  return match[1];
}

export type ConfigSettings = Omit<
  MyCnfOptions,
  'dataDir' | 'socket' | 'pidFile' | 'errorLog' | 'collation'
> & {
  collation?: string;
};

/**
 * Writes my.cnf and makes the directories the server writes to (socket/pid dir, error log)
 * belong to the account it runs as. The parents must be traversable (0755) by that account.
 */
export async function writeConfig(
  host: Host,
  layout: mariadb.MariadbLayout,
  settings: ConfigSettings,
  runAs?: RunAs,
): Promise<void> {
  const collation = settings.collation ?? collationFor(await installedVersion(host));
  const text = renderMyCnf({
    ...settings,
    collation,
    dataDir: layout.data,
    socket: layout.socket,
    pidFile: layout.pid,
    errorLog: layout.log,
  });
  const owner = runAs ? { owner: { uid: runAs.uid, gid: runAs.gid } } : {};
  // A Galera node's config holds the SST account's password: readable by mariadbd's account only
  // (its SST scripts read the file again).
  await host.writeAtomic(layout.config, text, settings.galera ? { mode: 0o600, ...owner } : { mode: 0o644 });
  for (const dir of new Set([dirname(layout.socket), dirname(layout.pid), mariadbTmpDir(layout.data)])) {
    await host.mkdir(dir, { mode: 0o755, ...owner });
  }
  await host.mkdir(dirname(layout.log), { mode: 0o755 });
  await host.append(layout.log, '', { mode: 0o640, ...owner });
  if (runAs)
    for (const path of [layout.config, layout.data, layout.socket, layout.log])
      await assertReachable(host, dirname(path), runAs);
}

/** mariadbd, running as runAs, must be able to walk down to each of its files. */
async function assertReachable(host: Host, dir: string, runAs: RunAs): Promise<void> {
  for (let current = dir; ; current = dirname(current)) {
    const info = await host.stat(current);
    const ok =
      info === null ||
      info.uid === runAs.uid ||
      (info.mode & 0o001) !== 0 ||
      (info.gid === runAs.gid && (info.mode & 0o010) !== 0);
    if (!ok) {
      throw new WebstackError('MARIADB_PATH_UNREACHABLE', runAs.user, current, current);
    }
    if (current === dirname(current)) return;
  }
}

/**
 * Creates the system tables once. Initialises into a sibling directory and renames it into place,
 * so a crash half-way never leaves a data directory that looks initialised but is not.
 * Returns false when the data directory was already initialised.
 */
export async function initDataDir(
  host: Host,
  layout: mariadb.MariadbLayout,
  runAs?: RunAs,
): Promise<boolean> {
  const existing = await listDir(host, layout.data);
  if (existing?.includes('mysql')) return false;
  if (existing && existing.length > 0) {
    throw new WebstackError('MARIADB_DATADIR_FOREIGN', layout.data);
  }
  const partial = `${layout.data}.partial`;
  await host.remove(partial);
  await host.mkdir(partial, { mode: 0o750, ...(runAs ? { owner: { uid: runAs.uid, gid: runAs.gid } } : {}) });
  await host.run(mariadb.installDb(layout.config, partial, { user: runAs?.user }), { timeoutMs: 120_000 });
  if (existing) await host.remove(layout.data);
  await host.rename(partial, layout.data);
  await host.chmod(layout.data, 0o750);
  return true;
}

async function listDir(host: Host, path: string): Promise<string[] | null> {
  const info = await host.stat(path);
  if (info === null) return null;
  if (!info.isDirectory) return [path];
  return await host.list(path);
}
