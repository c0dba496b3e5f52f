import type { RowDataPacket } from 'mysql2/promise';
import { MIGRATION_TABLE } from '../../../contract.js';
import { adminConnection, connectAdmin } from '../../components/mariadb/index.js';
import type { ResolvedConfig } from '../../core/config/load.js';
import type { StatePaths } from '../../core/paths.js';
import type { Host } from '../../host/host.js';
import { releaseMigrations, sameMigrations } from './rules.js';

/** The migrations the database records, by name, read as the administrator where the database runs. */
export async function appliedMigrations(config: ResolvedConfig, paths: StatePaths): Promise<string[]> {
  const admin = adminConnection(config, paths.mariadb.socket);
  const connection = await connectAdmin({ ...admin, database: config.database.name });
  try {
    const [rows] = await connection.query<RowDataPacket[]>(
      `SELECT name FROM ${MIGRATION_TABLE} ORDER BY name`,
    );
    return rows.map((row) => String(row.name));
  } finally {
    await connection.end().catch(() => {});
  }
}

/**
 * Whether the release's migrator has work to do: false only when the database records exactly the
 * release's migrations. One query instead of a Node process, a connection and Kysely's migrator,
 * which is most of an `up` on a machine already set up. Any doubt (no history table yet, a
 * database newer than the release, a failed read) says true: the migrator then decides, and
 * reports what it finds in its own words.
 */
export async function migrationsPending(
  host: Host,
  config: ResolvedConfig,
  paths: StatePaths,
  releaseDir: string,
): Promise<boolean> {
  try {
    const [applied, known] = await Promise.all([
      appliedMigrations(config, paths),
      releaseMigrations(host, releaseDir),
    ]);
    return !sameMigrations(applied, known);
  } catch {
    return true;
  }
}
