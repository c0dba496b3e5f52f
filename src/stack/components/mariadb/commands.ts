import type { Argv } from '../../host/host.js';

/**
 * Pure builders for the MariaDB command lines webstack runs. Each reads webstack's own my.cnf
 * through --defaults-file (always the first option, as the tools require), so the system's
 * /etc/mysql configuration never leaks in. Queries go through the mysql2 driver, not a CLI.
 */

/** Where one managed server keeps its files: the shape of statePaths().mariadb. */
export interface MariadbLayout {
  config: string;
  data: string;
  socket: string;
  pid: string;
  log: string;
}

/** System user mariadbd runs as when webstack runs as root (it refuses to run as root). */
export const MARIADB_OS_USER = 'mysql';

export function version(): Argv {
  return ['mariadbd', '--version'];
}

/**
 * Creates the system tables in an empty data directory. root@localhost authenticates by the
 * unix socket only (no password exists to leak); no anonymous users, no test database.
 */
export function installDb(configFile: string, dataDir: string, options: { user?: string } = {}): Argv {
  return [
    'mariadb-install-db',
    `--defaults-file=${configFile}`,
    `--datadir=${dataDir}`,
    '--auth-root-authentication-method=socket',
    '--skip-test-db',
    '--skip-name-resolve',
    ...userOption(options.user),
  ];
}

/** The server in the foreground, as a child of the supervisor (not daemonised), so it can be restarted. */
export function server(configFile: string, options: { user?: string } = {}): Argv {
  return ['mariadbd', `--defaults-file=${configFile}`, ...userOption(options.user)];
}

/** Where a client connects: the managed server's socket (as OS root) or an address. */
export type ClientTarget = { socket: string; user?: string } | { host: string; port: number; user: string };

/**
 * A consistent online logical backup of one database, to stdout. InnoDB tables are read in one
 * transaction, so the site keeps running. A password, if any, goes in MYSQL_PWD, never in argv.
 */
export function dump(configFile: string, database: string, target?: ClientTarget): Argv {
  return [
    'mariadb-dump',
    `--defaults-file=${configFile}`,
    ...targetOptions(target),
    '--single-transaction',
    '--quick',
    '--routines',
    '--triggers',
    '--events',
    '--hex-blob',
    '--default-character-set=utf8mb4',
    '--databases',
    database,
  ];
}

/** A physical hot copy of the whole managed server (every database) into an empty directory. */
export function physicalBackup(configFile: string, targetDir: string): Argv {
  return ['mariadb-backup', `--defaults-file=${configFile}`, '--backup', `--target-dir=${targetDir}`];
}

/** Makes a physical copy consistent (applies the redo log) so a server can start on it. */
export function preparePhysicalBackup(targetDir: string): Argv {
  return ['mariadb-backup', '--prepare', `--target-dir=${targetDir}`];
}

/** Replays a dump (fed on stdin) into the server; the dump names its own database. */
export function restore(configFile: string, target?: ClientTarget): Argv {
  return [
    'mariadb',
    `--defaults-file=${configFile}`,
    ...targetOptions(target),
    '--batch',
    '--default-character-set=utf8mb4',
  ];
}

/** An interactive shell on one database, for the operator. */
export function shell(configFile: string, database: string, target?: ClientTarget): Argv {
  return ['mariadb', `--defaults-file=${configFile}`, ...targetOptions(target), `--database=${database}`];
}

function userOption(user: string | undefined): string[] {
  return user === undefined ? [] : [`--user=${user}`];
}

function targetOptions(target: ClientTarget | undefined): string[] {
  if (target === undefined) return [];
  if ('socket' in target)
    return [`--socket=${target.socket}`, ...(target.user ? [`--user=${target.user}`] : [])];
  return ['--protocol=TCP', `--host=${target.host}`, `--port=${target.port}`, `--user=${target.user}`];
}
