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
export function server(configFile: string, options: { user?: string; args?: readonly string[] } = {}): Argv {
  return ['mariadbd', `--defaults-file=${configFile}`, ...userOption(options.user), ...(options.args ?? [])];
}

/**
 * A Galera node's last committed position read from InnoDB (after a crash grastate.dat says
 * seqno -1): the server starts, writes "WSREP: Recovered position: UUID:SEQNO" to LOGFILE and exits.
 */
export function recoverPosition(configFile: string, logFile: string, options: { user?: string } = {}): Argv {
  return [
    'mariadbd',
    `--defaults-file=${configFile}`,
    ...userOption(options.user),
    '--wsrep-recover',
    '--disable-log-error',
    `--log-error=${logFile}`,
  ];
}

function userOption(user: string | undefined): string[] {
  return user === undefined ? [] : [`--user=${user}`];
}
