import mysql, { type Connection, type ConnectionOptions } from 'mysql2/promise';
import type { ResolvedConfig } from '../../core/config/load.js';
import { WebstackError } from '../../core/errors.js';
import { statePaths } from '../../core/paths.js';
import { externalAdmin } from './external.js';
import { adminOverSocket } from './health.js';

/**
 * The database administrator the stack acts as: the account in database.url for an external
 * server, else the OS user over the managed server's unix socket. The one place that chooses.
 */
export function adminConnection(config: ResolvedConfig, socket?: string): ConnectionOptions {
  return config.database.mode === 'external' && config.database.url
    ? externalAdmin(config.database.url)
    : adminOverSocket(socket ?? statePaths(config.stateDir).mariadb.socket);
}

/** Where a connection goes, for an error message: never the password. */
export function describeAdmin(admin: ConnectionOptions): string {
  if (admin.socketPath) return admin.socketPath;
  return `${admin.host ?? 'localhost'}:${admin.port ?? 3306}`;
}

/**
 * Opens an administrator connection. A server that does not answer, or refuses the account, is
 * something the operator fixes: it throws DB_UNREACHABLE rather than mysql2's own error.
 */
export async function connectAdmin(admin: ConnectionOptions): Promise<Connection> {
  try {
    return await mysql.createConnection(admin);
  } catch (error) {
    throw new WebstackError('DB_UNREACHABLE', describeAdmin(admin), (error as Error).message, {
      cause: error,
    });
  }
}
