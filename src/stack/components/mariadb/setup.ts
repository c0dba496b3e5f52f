import { chmod, chown, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { WebstackError } from '../../core/errors.js';
import { run, writeFileAtomic } from '../../host/local.js';
import * as mariadb from './commands.js';
import { collationFor, type MyCnfOptions, mariadbTmpDir, renderMyCnf } from './my-cnf.js';

/** The OS account mariadbd runs as: `mysql` when we are root (it refuses root), else ourselves. */
export interface RunAs {
  user: string;
  uid: number;
  gid: number;
}

export async function mariadbRunAs(): Promise<RunAs | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number((await run(['id', '-u', mariadb.MARIADB_OS_USER])).stdout.trim());
  const gid = Number((await run(['id', '-g', mariadb.MARIADB_OS_USER])).stdout.trim());
  return { user: mariadb.MARIADB_OS_USER, uid, gid };
}

/** e.g. "10.11.19-MariaDB-0+deb12u1", from `mariadbd --version`. */
export async function installedVersion(): Promise<string> {
  const { stdout } = await run(mariadb.version());
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
  layout: mariadb.MariadbLayout,
  settings: ConfigSettings,
  runAs?: RunAs,
): Promise<void> {
  const collation = settings.collation ?? collationFor(await installedVersion());
  const text = renderMyCnf({
    ...settings,
    collation,
    dataDir: layout.data,
    socket: layout.socket,
    pidFile: layout.pid,
    errorLog: layout.log,
  });
  await writeFileAtomic(layout.config, text, 0o644);
  for (const dir of new Set([dirname(layout.socket), dirname(layout.pid), mariadbTmpDir(layout.data)])) {
    await mkdir(dir, { recursive: true, mode: 0o755 });
    if (runAs) await chown(dir, runAs.uid, runAs.gid);
  }
  await mkdir(dirname(layout.log), { recursive: true, mode: 0o755 });
  await (await open(layout.log, 'a', 0o640)).close();
  if (runAs) await chown(layout.log, runAs.uid, runAs.gid);
  if (runAs)
    for (const path of [layout.config, layout.data, layout.socket, layout.log])
      await assertReachable(dirname(path), runAs);
}

/** mariadbd, running as runAs, must be able to walk down to each of its files. */
async function assertReachable(dir: string, runAs: RunAs): Promise<void> {
  for (let current = dir; ; current = dirname(current)) {
    const info = await stat(current).catch(() => null);
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
export async function initDataDir(layout: mariadb.MariadbLayout, runAs?: RunAs): Promise<boolean> {
  const existing = await listDir(layout.data);
  if (existing?.includes('mysql')) return false;
  if (existing && existing.length > 0) {
    throw new WebstackError('MARIADB_DATADIR_FOREIGN', layout.data);
  }
  const partial = `${layout.data}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true, mode: 0o750 });
  if (runAs) await chown(partial, runAs.uid, runAs.gid);
  await run(mariadb.installDb(layout.config, partial, { user: runAs?.user }), { timeoutMs: 120_000 });
  if (existing) await rm(layout.data, { recursive: true });
  await rename(partial, layout.data);
  await chmod(layout.data, 0o750);
  return true;
}

async function listDir(path: string): Promise<string[] | null> {
  try {
    if (!(await stat(path)).isDirectory()) return [path];
    return await readdir(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
