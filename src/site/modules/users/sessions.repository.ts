import { compiler, type Db, idempotent, prepared, withParameters } from '../../database/database.js';
import type { Role } from './users.table.js';

export interface ActiveSession {
  id: string;
  csrfSecret: string;
  lastSeenAt: Date;
  user: { id: number; email: string; role: Role; displayName: string };
}

/**
 * One indexed lookup (primary key) joining the user: the session must be neither idle nor past its
 * end. Every logged-in request runs it: compiled once and prepared; parameters id, now, idleSince.
 */
const ACTIVE_SESSION = prepared(
  compiler
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select([
      's.id',
      's.csrf_secret',
      's.last_seen_at',
      'u.id as user_id',
      'u.email',
      'u.role',
      'u.display_name',
    ])
    .where('s.id', '=', '')
    .where('s.expires_at', '>', new Date(0))
    .where('s.last_seen_at', '>', new Date(0))
    .compile(),
);

export async function findActiveSession(
  db: Db,
  id: string,
  now: Date,
  idleSince: Date,
): Promise<ActiveSession | null> {
  const { rows } = await db.executeQuery(withParameters(ACTIVE_SESSION, [id, now, idleSince]));
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    csrfSecret: row.csrf_secret,
    lastSeenAt: row.last_seen_at,
    user: { id: row.user_id, email: row.email, role: row.role, displayName: row.display_name },
  };
}

/**
 * Idempotent by its key: the id is the hash of a fresh 256-bit token, so a second run after a lost
 * connection finds only its own row, and the upsert leaves it as the first run wrote it.
 */
export async function insertSession(
  db: Db,
  row: { id: string; userId: number; csrfSecret: string; now: Date; expiresAt: Date },
): Promise<void> {
  await idempotent(db)
    .insertInto('sessions')
    .values({
      id: row.id,
      user_id: row.userId,
      csrf_secret: row.csrfSecret,
      created_at: row.now,
      last_seen_at: row.now,
      expires_at: row.expiresAt,
    })
    .onDuplicateKeyUpdate({ last_seen_at: row.now })
    .execute();
}

export async function touchSession(db: Db, id: string, now: Date): Promise<void> {
  await idempotent(db).updateTable('sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await idempotent(db).deleteFrom('sessions').where('id', '=', id).execute();
}

/** Ends every other session of a user. */
export async function deleteOtherSessions(db: Db, userId: number, keepId: string): Promise<void> {
  await idempotent(db)
    .deleteFrom('sessions')
    .where('user_id', '=', userId)
    .where('id', '!=', keepId)
    .execute();
}

/** Ends every session of a user (log out everywhere, a password change before the new one). */
export async function deleteUserSessions(db: Db, userId: number): Promise<number> {
  const result = await idempotent(db).deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Keeps a user's `max` most recently used sessions and deletes the rest (the oldest). Two steps,
 * because MariaDB takes no LIMIT in an IN subquery; a race between workers only deletes a row twice.
 */
export async function capUserSessions(db: Db, userId: number, max: number): Promise<void> {
  const surplus = await db
    .selectFrom('sessions')
    .select('id')
    .where('user_id', '=', userId)
    .orderBy('last_seen_at', 'desc')
    .orderBy('created_at', 'desc')
    .limit(1000)
    .offset(max)
    .execute();
  if (surplus.length === 0) return;
  await idempotent(db)
    .deleteFrom('sessions')
    .where(
      'id',
      'in',
      surplus.map((row) => row.id),
    )
    .execute();
}

/** The scheduled purge: every dead session of every user (expires_at and last_seen_at are indexed or cheap). */
export async function deleteAllExpiredSessions(db: Db, now: Date, idleSince: Date): Promise<number> {
  const result = await idempotent(db)
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', idleSince)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Housekeeping on login: drop this user's dead sessions so the table does not grow forever. */
export async function deleteExpiredSessions(
  db: Db,
  userId: number,
  now: Date,
  idleSince: Date,
): Promise<void> {
  await idempotent(db)
    .deleteFrom('sessions')
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', idleSince)]))
    .execute();
}
