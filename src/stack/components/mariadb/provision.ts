import type mysql from 'mysql2/promise';
import type { ConnectionOptions, RowDataPacket } from 'mysql2/promise';
import { WebstackError } from '../../core/errors.js';
import { connectAdmin } from './admin.js';

export interface DatabaseSpec {
  database: string;
  appUser: string;
  appPassword: string;
  migratorUser: string;
  migratorPassword: string;
  /** Hosts the accounts may connect from; default: the unix socket and loopback TCP. */
  hosts?: readonly string[];
  /**
   * Hosts (e.g. the app hosts' addresses) whose accounts must connect over TLS: created or altered
   * REQUIRE SSL, in addition to `hosts`. The accounts of the other hosts keep what they had.
   */
  tlsHosts?: readonly string[];
}

export const DEFAULT_HOSTS = ['localhost', '127.0.0.1'] as const;
/** The site needs rows, never schema: migrations run under the migrator account. */
export const APP_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const;

/** Identifiers cannot be bound as parameters, so they are validated strictly and backtick-quoted. */
export function quoteIdentifier(name: string): string {
  if (!/^[A-Za-z0-9_]{1,64}$/.test(name)) {
    throw new WebstackError('DB_NAME_INVALID', JSON.stringify(name));
  }
  return `\`${name}\``;
}

/** 32 characters keeps the names valid on MySQL 8 too (external mode). */
function checkUser(name: string): string {
  if (!/^[A-Za-z0-9_]{1,32}$/.test(name)) {
    throw new WebstackError('DB_USER_INVALID', JSON.stringify(name));
  }
  return name;
}

function checkHost(host: string): string {
  if (!/^(localhost|%|[0-9.]{7,15}|[0-9a-fA-F:]{2,39}|[A-Za-z0-9.%_-]{1,255})$/.test(host)) {
    throw new WebstackError('DB_HOST_INVALID', JSON.stringify(host));
  }
  return host;
}

/**
 * Creates the site's database and its two accounts; safe to run on every `webstack up`.
 * ALTER USER re-applies the password, so a rotated secret takes effect. The app account gets
 * DML only; if it holds anything more (drift, a hand-made grant), it is reset to exactly that.
 * User names, hosts and passwords go through the driver's escaping as `?` values.
 */
export async function provisionDatabase(admin: ConnectionOptions, spec: DatabaseSpec): Promise<void> {
  const db = quoteIdentifier(spec.database);
  const tlsHosts = new Set((spec.tlsHosts ?? []).map(checkHost));
  const hosts = [...new Set([...(spec.hosts ?? DEFAULT_HOSTS).map(checkHost), ...tlsHosts])];
  const accounts = [
    { user: checkUser(spec.appUser), password: spec.appPassword, grant: APP_PRIVILEGES.join(', ') },
    { user: checkUser(spec.migratorUser), password: spec.migratorPassword, grant: 'ALL PRIVILEGES' },
  ];
  const connection = await connectAdmin(admin);
  try {
    await connection.query(`CREATE DATABASE IF NOT EXISTS ${db} CHARACTER SET utf8mb4`);
    for (const account of accounts) {
      for (const host of hosts) {
        // Created REQUIRE SSL at once: a TLS host's account never exists, even briefly, without it.
        const require = tlsHosts.has(host) ? ' REQUIRE SSL' : '';
        await connection.query(`CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?${require}`, [
          account.user,
          host,
          account.password,
        ]);
        await connection.query(`ALTER USER ?@? IDENTIFIED BY ?${require}`, [
          account.user,
          host,
          account.password,
        ]);
        if (
          account.user === spec.appUser &&
          (await holdsMoreThan(connection, account.user, host, spec.database))
        ) {
          await connection.query('REVOKE ALL PRIVILEGES, GRANT OPTION FROM ?@?', [account.user, host]);
        }
        await connection.query(`GRANT ${account.grant} ON ${db}.* TO ?@?`, [account.user, host]);
      }
    }
  } finally {
    await connection.end();
  }
}

/** True when the account has any privilege beyond DML on the database (global, other schemas, tables). */
async function holdsMoreThan(
  connection: mysql.Connection,
  user: string,
  host: string,
  database: string,
): Promise<boolean> {
  const grantee = `'${user}'@'${host}'`;
  const [rows] = await connection.query<RowDataPacket[]>(
    `SELECT PRIVILEGE_TYPE AS privilege, '' AS db, IS_GRANTABLE AS grantable FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?
     UNION ALL SELECT PRIVILEGE_TYPE, TABLE_SCHEMA, IS_GRANTABLE FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ?
     UNION ALL SELECT PRIVILEGE_TYPE, TABLE_SCHEMA, IS_GRANTABLE FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE = ?`,
    [grantee, grantee, grantee],
  );
  const allowed = new Set<string>(APP_PRIVILEGES);
  return rows.some((row) => {
    if (row.privilege === 'USAGE' && row.db === '') return false;
    return row.db !== database || !allowed.has(String(row.privilege)) || row.grantable === 'YES';
  });
}

/** Removes a database and its two accounts (tests, and `webstack destroy` later). */
export async function dropDatabase(
  admin: ConnectionOptions,
  spec: Pick<DatabaseSpec, 'database' | 'appUser' | 'migratorUser' | 'hosts' | 'tlsHosts'>,
): Promise<void> {
  const db = quoteIdentifier(spec.database);
  const hosts = new Set([...(spec.hosts ?? DEFAULT_HOSTS), ...(spec.tlsHosts ?? [])].map(checkHost));
  const connection = await connectAdmin(admin);
  try {
    await connection.query(`DROP DATABASE IF EXISTS ${db}`);
    for (const user of [checkUser(spec.appUser), checkUser(spec.migratorUser)]) {
      for (const host of hosts) await connection.query('DROP USER IF EXISTS ?@?', [user, host]);
    }
  } finally {
    await connection.end();
  }
}
