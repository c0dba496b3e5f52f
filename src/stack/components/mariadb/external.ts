import type { ConnectionOptions } from 'mysql2/promise';
import { WebstackError } from '../../core/errors.js';

function invalid(reason: string): WebstackError {
  // The URL itself is never quoted: it holds the admin password.
  return new WebstackError('DB_URL_INVALID', reason);
}

/**
 * Reads the administrator account of an external MySQL/MariaDB server from
 * mysql://user:password@host:port/ (`?socket=/path` connects over a unix socket instead).
 */
export function externalAdmin(url: string): ConnectionOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid('it does not parse as a URL');
  }
  if (parsed.protocol !== 'mysql:')
    throw invalid(`the scheme is ${JSON.stringify(parsed.protocol)}, not "mysql:"`);
  const user = decodeURIComponent(parsed.username);
  if (user === '') throw invalid('it names no user');
  const password = decodeURIComponent(parsed.password);
  const socket = parsed.searchParams.get('socket');
  const base: ConnectionOptions = { user, connectTimeout: 10_000, ...(password === '' ? {} : { password }) };
  if (socket !== null) {
    if (!socket.startsWith('/')) throw invalid('the socket parameter must be an absolute path');
    return { ...base, socketPath: socket };
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw invalid('it names no host');
  const port = parsed.port === '' ? 3306 : Number(parsed.port);
  return { ...base, host, port };
}
