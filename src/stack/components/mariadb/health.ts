import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import mysql, { type ConnectionOptions, type RowDataPacket } from 'mysql2/promise';
import { WebstackError } from '../../core/errors.js';
import type { MariadbExit } from './process.js';

/**
 * The administrator of a managed server: the OS user we run as, over the unix socket. Debian's
 * MariaDB authenticates root@localhost by unix_socket, so there is no admin password at all.
 */
export function adminOverSocket(socket: string): ConnectionOptions {
  const user = process.getuid?.() === 0 ? 'root' : userInfo().username;
  return { socketPath: socket, user, connectTimeout: 5_000 };
}

export interface MariadbHealth {
  ok: boolean;
  version?: string;
  uptimeSeconds?: number;
  /** One line, for `webstack status`; never holds a secret. */
  error?: string;
}

/** Connects, asks for the version and uptime; never throws. */
export async function mariadbHealth(target: string | ConnectionOptions): Promise<MariadbHealth> {
  const options = typeof target === 'string' ? adminOverSocket(target) : target;
  let connection: mysql.Connection | undefined;
  try {
    connection = await mysql.createConnection(options);
    const [versionRows] = await connection.query<RowDataPacket[]>('SELECT VERSION() AS version');
    const [statusRows] = await connection.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Uptime'");
    return {
      ok: true,
      version: String(versionRows[0]?.version),
      uptimeSeconds: Number(statusRows[0]?.Value),
    };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  } finally {
    await connection?.end().catch(() => undefined);
  }
}

export interface WaitOptions {
  /** The server process; waiting stops as soon as it exits. */
  exited?: Promise<MariadbExit>;
  /** The server's error log, quoted in the failure message. */
  errorLog?: string;
}

/**
 * Real readiness: a connection as the administrator and SELECT 1 answered. Polls until
 * `deadlineMs` from now; fails fast if the server process exits meanwhile.
 */
export async function waitForMariadb(
  socket: string,
  deadlineMs: number,
  options: WaitOptions = {},
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let exit: MariadbExit | undefined;
  void options.exited?.then((value) => {
    exit = value;
  });
  let lastError = 'no answer yet';
  while (Date.now() < deadline && exit === undefined) {
    const connection = await mysql.createConnection(adminOverSocket(socket)).catch((error: Error) => error);
    if (!(connection instanceof Error)) {
      try {
        await connection.query('SELECT 1');
        return;
      } catch (error) {
        lastError = (error as Error).message;
      } finally {
        await connection.end().catch(() => undefined);
      }
    } else {
      lastError = connection.message;
    }
    await delay(100);
  }
  const why = exit
    ? `mariadbd exited (code ${exit.code}, signal ${exit.signal})`
    : `no answer within ${deadlineMs} ms (${lastError})`;
  const log = options.errorLog ? await tail(options.errorLog) : '';
  throw new WebstackError(
    'MARIADB_NOT_READY',
    socket,
    why,
    log ? `; error log ends: ${log}` : '',
    options.errorLog ?? 'the MariaDB error log',
  );
}

async function tail(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const errors = text.split('\n').filter((line) => /\[ERROR\]/.test(line));
  return errors.slice(-3).join(' | ');
}
