import type { ConnectionOptions } from 'mysql2/promise';
import { connectAdmin } from '../mariadb/admin.js';
import { SST_PRIVILEGES } from './cnf.js';

/**
 * The account a donor's mariabackup connects as, on this node's socket only (localhost), with the
 * privileges a hot backup needs and nothing more. Replicated to every node like any account.
 */
export async function provisionSstAccount(
  admin: ConnectionOptions,
  user: string,
  password: string,
): Promise<void> {
  const connection = await connectAdmin(admin);
  try {
    await connection.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [user, 'localhost', password]);
    await connection.query('ALTER USER ?@? IDENTIFIED BY ?', [user, 'localhost', password]);
    await connection.query(`GRANT ${SST_PRIVILEGES.join(', ')} ON *.* TO ?@?`, [user, 'localhost']);
  } finally {
    await connection.end();
  }
}
