import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ResolvedConfig } from '../../core/config/load.js';
import { WebstackError } from '../../core/errors.js';
import type { StatePaths } from '../../core/paths.js';
import type { Host } from '../../host/host.js';
import { currentRelease } from '../release/release.js';
import { createTar, dumpDatabase } from './commands.js';

/** What a backup archive holds besides the data: enough to verify a restore before it goes live. */
export interface BackupManifest {
  format: 1;
  createdAt: string;
  database: string;
  release: string | null;
  /** Rows per table as written in the dump. */
  rows: Record<string, number>;
  /** SHA-256 of each member of the archive. */
  files: Record<string, string>;
}

export const DUMP_FILE = 'database.sql';
export const UPLOADS_FILE = 'uploads.tar';
export const MANIFEST_FILE = 'manifest.json';
const ARCHIVE = /^webstack-backup-(\d{8}-\d{6})(?:-(\d+))?\.tar\.gz$/;

/**
 * webstack's archive names in `names`, oldest first. Two backups in the same second are
 * `…-HHMMSS.tar.gz` then `…-HHMMSS-1.tar.gz`: a plain sort puts "-1" before ".tar.gz", so the
 * order is by time, then by the sequence number.
 */
export function archivesByAge(names: readonly string[]): string[] {
  const archives = names.flatMap((name) => {
    const match = ARCHIVE.exec(name);
    return match?.[1] ? [{ name, stamp: match[1], n: Number(match[2] ?? 0) }] : [];
  });
  archives.sort((a, b) => a.stamp.localeCompare(b.stamp) || a.n - b.n);
  return archives.map((a) => a.name);
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Counts the rows of a --skip-extended-insert dump: one `INSERT INTO `t` VALUES` line per row. */
export async function countDumpRows(dumpFile: string): Promise<Record<string, number>> {
  const rows: Record<string, number> = {};
  const text = await readFile(dumpFile, 'utf8');
  for (const match of text.matchAll(/^CREATE TABLE `([^`]+)`/gm)) rows[match[1] as string] = 0;
  for (const match of text.matchAll(/^INSERT INTO `([^`]+)` VALUES /gm)) {
    const table = match[1] as string;
    rows[table] = (rows[table] ?? 0) + 1;
  }
  return rows;
}

function stamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

function requireManaged(config: ResolvedConfig): void {
  if (config.database.mode !== 'managed') {
    throw new WebstackError('BACKUP_EXTERNAL_DB');
  }
}

/**
 * A consistent online backup of the site's database and the uploads in one archive, with its
 * SHA-256 in `<archive>.sha256` (sha256sum format). The archive appears only when complete.
 */
export async function createBackup(
  host: Host,
  config: ResolvedConfig,
  paths: StatePaths,
  options: { file?: string; keep?: number } = {},
): Promise<{ file: string; sha256: string; manifest: BackupManifest }> {
  requireManaged(config);
  const now = new Date();
  let file = options.file
    ? resolve(options.file)
    : join(paths.backups, `webstack-backup-${stamp(now)}.tar.gz`);
  for (let n = 1; !options.file && (await host.exists(file)); n++)
    file = join(paths.backups, `webstack-backup-${stamp(now)}-${n}.tar.gz`);
  await host.mkdir(dirname(file), { mode: 0o700 });
  // Each archive holds every account's email and password hash: the state directory's backups/ is
  // root's alone, also when an older webstack made it 0755 (mkdir keeps an existing mode).
  if (dirname(file) === paths.backups) await host.chmod(paths.backups, 0o700);
  const work = await host.makeTempDir(join(dirname(file), '.backup-'));
  try {
    const dump = join(work, DUMP_FILE);
    const { config: cnf, socket } = paths.mariadb;
    await host.run(dumpDatabase(cnf, socket, config.database.name, dump), { timeoutMs: 3_600_000 });
    await host.mkdir(paths.uploads, { mode: 0o755 });
    await host.run(createTar(join(work, UPLOADS_FILE), paths.root, [basename(paths.uploads)]));
    const manifest: BackupManifest = {
      format: 1,
      createdAt: now.toISOString(),
      database: config.database.name,
      release: await currentRelease(host, paths),
      rows: await countDumpRows(dump),
      files: {
        [DUMP_FILE]: await sha256File(dump),
        [UPLOADS_FILE]: await sha256File(join(work, UPLOADS_FILE)),
      },
    };
    await host.writeAtomic(join(work, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, {
      mode: 0o600,
    });
    const partial = `${file}.partial`;
    // tar opens an existing file without changing its mode: created 0600 first, it never is readable.
    await host.writeAtomic(partial, '', { mode: 0o600 });
    await host.run(createTar(partial, work, [MANIFEST_FILE, DUMP_FILE, UPLOADS_FILE], { gzip: true }), {
      timeoutMs: 3_600_000,
    });
    const sha256 = await sha256File(partial);
    await host.writeAtomic(`${file}.sha256`, `${sha256}  ${basename(file)}\n`, { mode: 0o600 });
    await host.rename(partial, file);
    if (options.keep !== undefined) await pruneBackups(host, dirname(file), options.keep);
    return { file, sha256, manifest };
  } finally {
    await host.remove(work);
  }
}

/** Keeps the newest `keep` archives made by webstack in `dir`. */
export async function pruneBackups(host: Host, dir: string, keep: number): Promise<string[]> {
  const archives = archivesByAge(await host.list(dir));
  const doomed = archives.slice(0, Math.max(0, archives.length - Math.max(1, keep)));
  for (const name of doomed) {
    await host.remove(join(dir, name));
    await host.remove(join(dir, `${name}.sha256`));
  }
  return doomed;
}

/** Refuses an archive whose SHA-256 differs from the one recorded beside it. */
export async function verifyArchive(host: Host, file: string): Promise<string> {
  if (!(await host.stat(file))?.isFile) throw new WebstackError('BACKUP_MISSING', file);
  const recorded = await host.readText(`${file}.sha256`);
  if (recorded === null) {
    throw new WebstackError('BACKUP_NO_CHECKSUM', file);
  }
  const expected = recorded.trim().split(/\s+/)[0] ?? '';
  const actual = await sha256File(file);
  if (expected !== actual) {
    throw new WebstackError('BACKUP_CORRUPT', file);
  }
  return actual;
}
