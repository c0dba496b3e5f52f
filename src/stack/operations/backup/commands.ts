import type { Argv } from '../../host/host.js';

/**
 * Pure builders for `webstack backup` / `webstack restore`. The dump names no database of its own
 * (no CREATE DATABASE / USE), so that it can be loaded into a fresh database under another name.
 */

/**
 * A consistent online dump of one database into a file: InnoDB tables are read in one transaction
 * while the site keeps writing. One INSERT per row makes the dump's row counts checkable line by
 * line; --no-autocommit wraps each table's rows in one transaction so that loading stays fast.
 */
export function dumpDatabase(configFile: string, socket: string, database: string, file: string): Argv {
  return [
    'mariadb-dump',
    `--defaults-file=${configFile}`,
    `--socket=${socket}`,
    '--single-transaction',
    '--quick',
    '--skip-extended-insert',
    '--no-autocommit',
    '--routines',
    '--triggers',
    '--events',
    '--hex-blob',
    '--default-character-set=utf8mb4',
    `--result-file=${file}`,
    '--',
    database,
  ];
}

/** Loads a dump (on stdin) into one existing database. */
export function loadDump(configFile: string, socket: string, database: string): Argv {
  return [
    'mariadb',
    `--defaults-file=${configFile}`,
    `--socket=${socket}`,
    '--batch',
    '--default-character-set=utf8mb4',
    `--database=${database}`,
  ];
}

/** A tar of `entries` (relative to `dir`), gzip-compressed on request. */
export function createTar(
  archive: string,
  dir: string,
  entries: readonly string[],
  options: { gzip?: boolean } = {},
): Argv {
  const gzip = options.gzip ? ['--gzip'] : [];
  return ['tar', '--create', ...gzip, `--file=${archive}`, `--directory=${dir}`, '--', ...entries];
}

/** Unpacks an archive into `dir`; GNU tar detects the compression itself. As root, owners and modes are kept. */
export function extractTar(archive: string, dir: string): Argv {
  return ['tar', '--extract', `--file=${archive}`, `--directory=${dir}`];
}
