import type { Db } from '../../database/database.js';
import type { NewUserRow, UserRow } from './users.table.js';

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

export async function findUserById(db: Db, id: number): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertUser(db: Db, row: NewUserRow): Promise<number> {
  const result = await db.insertInto('users').values(row).executeTakeFirstOrThrow();
  return Number(result.insertId);
}

export async function updatePasswordHash(db: Db, id: number, passwordHash: string): Promise<void> {
  await db
    .updateTable('users')
    .set({ password_hash: passwordHash, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function updateUserRole(db: Db, email: string, role: UserRow['role']): Promise<void> {
  await db.updateTable('users').set({ role, updated_at: new Date() }).where('email', '=', email).execute();
}
