import { basename, dirname, join, resolve } from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { adminConnection, connectAdmin, quoteIdentifier } from '../../components/mariadb/index.js';
import type { ResolvedConfig } from '../../core/config/load.js';
import { WebstackError } from '../../core/errors.js';
import type { StatePaths } from '../../core/paths.js';
import type { Host } from '../../host/host.js';
import { appRunAs, chownTree } from '../install/accounts.js';
import { currentRelease } from '../release/release.js';
import { runSiteCli } from '../site-cli.js';
import {
  type BackupManifest,
  DUMP_FILE,
  MANIFEST_FILE,
  sha256File,
  UPLOADS_FILE,
  verifyArchive,
} from './backup.js';
import { extractTar, loadDump } from './commands.js';

function refuse(message: string): never {
  throw new WebstackError('BACKUP_INVALID', message);
}

async function readManifest(host: Host, dir: string): Promise<BackupManifest> {
  const text = (await host.readText(join(dir, MANIFEST_FILE))) ?? refuse('the archive has no manifest');
  const manifest = JSON.parse(text) as BackupManifest;
  if (manifest.format !== 1 || typeof manifest.rows !== 'object') refuse('unknown backup format');
  for (const name of [DUMP_FILE, UPLOADS_FILE]) {
    if (manifest.files[name] !== (await sha256File(join(dir, name)).catch(() => null)))
      refuse(`${name} in the archive does not match the manifest`);
  }
  return manifest;
}

async function tables(connection: Connection, database: string): Promise<string[]> {
  const [rows] = await connection.query<RowDataPacket[]>(
    "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'",
    [database],
  );
  return rows.map((row) => String(row.name));
}

/** Row counts of the restored copy must equal the dump's, table by table. */
async function checkRows(connection: Connection, database: string, expected: Record<string, number>) {
  const present = new Set(await tables(connection, database));
  for (const [table, count] of Object.entries(expected)) {
    if (!present.has(table)) refuse(`table ${table} is missing after loading the dump`);
    const [rows] = await connection.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM ${quoteIdentifier(database)}.${quoteIdentifier(table)}`,
    );
    const actual = Number(rows[0]?.n);
    if (actual !== count) refuse(`table ${table} has ${actual} rows after loading, the dump has ${count}`);
  }
}

/**
 * Restores an archive made by createBackup: verifies its checksum and manifest, loads the dump
 * into a fresh database, checks every table's row count, then swaps the tables in with one atomic
 * RENAME TABLE (the replaced tables are kept in `<db>_before_<stamp>`), and swaps the uploads
 * directory in. The uploads themselves are rows of the dump; an archive made before they were
 * (format 1 has no other) holds them as files in uploads.tar, so the current release's `migrate`
 * runs last: it brings an older schema up to date and moves those files into the table.
 * A corrupt, truncated or incomplete archive is refused before anything live changes.
 */
export async function restoreBackup(
  host: Host,
  config: ResolvedConfig,
  paths: StatePaths,
  archive: string,
): Promise<{ database: string; previous: string; rows: Record<string, number>; migrated: string }> {
  if (config.database.mode !== 'managed') throw new WebstackError('RESTORE_EXTERNAL_DB');
  const file = resolve(archive);
  await verifyArchive(host, file);
  const work = await host.makeTempDir(join(dirname(paths.uploads), '.restore-'));
  const suffix = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const live = config.database.name;
  const fresh = `${live}_restore_${suffix}`.slice(0, 64);
  const previous = `${live}_before_${suffix}`.slice(0, 64);
  const connection = await connectAdmin(adminConnection(config, paths.mariadb.socket));
  let swapped = false;
  try {
    await host
      .run(extractTar(file, work), { timeoutMs: 3_600_000 })
      .catch(() => refuse(`${basename(file)} cannot be unpacked`));
    const manifest = await readManifest(host, work);
    await connection.query(`CREATE DATABASE ${quoteIdentifier(fresh)} CHARACTER SET utf8mb4`);
    const dump = (await host.readText(join(work, DUMP_FILE))) ?? refuse(`${DUMP_FILE} is missing`);
    await host.run(loadDump(paths.mariadb.config, paths.mariadb.socket, fresh), {
      input: dump,
      timeoutMs: 3_600_000,
    });
    await checkRows(connection, fresh, manifest.rows);

    const uploads = join(work, 'uploads-new');
    await host.mkdir(uploads, { mode: 0o755 });
    await host.run(extractTar(join(work, UPLOADS_FILE), uploads));
    // An archive keeps its owners (an older one's are www-data's): the uploads are the app's to write.
    const app = await appRunAs(host, config.app.user);
    if (app) await host.run(chownTree(app, uploads));

    // The live database may be gone altogether (dropped by mistake): the restore recreates it.
    await connection.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(live)} CHARACTER SET utf8mb4`);
    await connection.query(`CREATE DATABASE ${quoteIdentifier(previous)} CHARACTER SET utf8mb4`);
    const moves = [
      ...(await tables(connection, live)).map(
        (t) =>
          `${quoteIdentifier(live)}.${quoteIdentifier(t)} TO ${quoteIdentifier(previous)}.${quoteIdentifier(t)}`,
      ),
      ...(await tables(connection, fresh)).map(
        (t) =>
          `${quoteIdentifier(fresh)}.${quoteIdentifier(t)} TO ${quoteIdentifier(live)}.${quoteIdentifier(t)}`,
      ),
    ];
    await connection.query(`RENAME TABLE ${moves.join(', ')}`);
    swapped = true;
    await connection.query(`DROP DATABASE ${quoteIdentifier(fresh)}`);

    const restored = join(uploads, basename(paths.uploads));
    if (await host.exists(restored)) {
      const old = join(work, 'uploads-old');
      if (await host.exists(paths.uploads)) await host.rename(paths.uploads, old);
      await host.rename(restored, paths.uploads);
    }
    const release = await currentRelease(host, paths);
    const migrated = release
      ? (await runSiteCli(host, config, paths, ['migrate'], { role: 'migrator', release })).stdout.trim()
      : '';
    return { database: live, previous, rows: manifest.rows, migrated };
  } finally {
    if (!swapped) await connection.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(fresh)}`).catch(() => {});
    if (!swapped)
      await connection.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(previous)}`).catch(() => {});
    await connection.end().catch(() => {});
    await host.remove(work);
  }
}
