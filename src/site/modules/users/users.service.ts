import argon2 from 'argon2';
import type { Db } from '../../database/database.js';
import { errors } from '../../errors.js';
import { passwordProblem } from '../../lib/passwords.js';
import { limitConcurrency } from '../../lib/semaphore.js';
import { clearFailures, countRecentFailures, recordFailure } from './login-failures.repository.js';
import { deleteUserSessions } from './sessions.repository.js';
import {
  findUserByEmail,
  findUserById,
  insertUser,
  updatePasswordHash,
  updateUserRole,
} from './users.repository.js';
import type { Role, UserRow } from './users.table.js';

/** OWASP's argon2id settings (m=19 MiB, t=2, p=1); hashing runs on libuv's threadpool, off the event loop. */
export const HASH_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export interface User {
  id: number;
  email: string;
  role: Role;
  displayName: string;
}

/** Who is asking, as the other modules' permission checks see it: the session's user, or null for a visitor. */
export type Actor = Pick<User, 'id' | 'role'>;

export function toUser(row: UserRow): User {
  return { id: row.id, email: row.email, role: row.role, displayName: row.display_name };
}

/** Emails compare case-insensitively in practice; store one spelling. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * At most two argon2 hashes or verifications per worker at once: a login burst then costs each
 * worker 2 × 19 MiB and two libuv threads, leaving the rest of the pool (file and DNS work) and
 * page latency alone; the other logins queue.
 */
const hashing = limitConcurrency(2);

export async function hashPassword(password: string): Promise<string> {
  return hashing(() => argon2.hash(password, HASH_OPTIONS));
}

function verifyPassword(hash: string, password: string): Promise<boolean> {
  return hashing(() => argon2.verify(hash, password));
}

// Verified against for unknown emails, so "no such user" costs as long as "wrong password".
let dummyHash: Promise<string> | undefined;
function getDummyHash(): Promise<string> {
  dummyHash ??= hashPassword('not-a-real-password-just-for-timing');
  return dummyHash;
}

export interface NewUser {
  email: string;
  password: string;
  displayName: string;
  role?: Role;
}

/** ASVS V2.2.1: at most this many failed logins per account per hour (DB-backed, all workers). */
export const MAX_FAILED_LOGINS_PER_HOUR = 100;
const HOUR_MS = 60 * 60 * 1000;

/** Refuses a new password that is too short, too long or common (VALIDATION_FAILED on `field`). */
export function checkNewPassword(password: string, context: readonly string[], field = 'password'): void {
  const problem = passwordProblem(password, context);
  if (problem) throw errors.validation(undefined, [{ field, message: problem }]);
}

/** Creates an account (any role: the CLI's `user-add`). Throws EMAIL_TAKEN for a duplicate. */
export async function createUser(db: Db, input: NewUser): Promise<User> {
  const email = normalizeEmail(input.email);
  checkNewPassword(input.password, [email, email.split('@')[0] ?? '', input.displayName]);
  const row = {
    email,
    password_hash: await hashPassword(input.password),
    role: input.role ?? 'member',
    display_name: input.displayName.trim(),
  };
  try {
    const id = await insertUser(db, row);
    return { id, email, role: row.role, displayName: row.display_name };
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ER_DUP_ENTRY') throw errors.emailTaken();
    throw error;
  }
}

/** Self-service registration: always a member. */
export async function register(db: Db, input: Omit<NewUser, 'role'>): Promise<User> {
  return createUser(db, { ...input, role: 'member' });
}

/** The same error, after the same work, whether the email is unknown or the password wrong. */
export async function authenticate(db: Db, email: string, password: string): Promise<User> {
  const row = await findUserByEmail(db, normalizeEmail(email));
  if (row) await refuseIfLockedOut(db, row.id);
  // The dummy hash is made before taking a hashing slot (making it takes one too).
  const hash = row?.password_hash ?? (await getDummyHash());
  const ok = await verifyPassword(hash, password);
  if (!row) throw errors.invalidCredentials();
  if (!ok) {
    await recordFailure(db, row.id, new Date(), new Date(Date.now() - HOUR_MS));
    throw errors.invalidCredentials();
  }
  await clearFailures(db, row.id);
  return toUser(row);
}

/** Past the limit, the password is not even checked: guessing stops for the rest of the hour. */
async function refuseIfLockedOut(db: Db, userId: number): Promise<void> {
  const failures = await countRecentFailures(db, userId, new Date(Date.now() - HOUR_MS));
  if (failures >= MAX_FAILED_LOGINS_PER_HOUR) throw errors.tooManyAttempts();
}

/** `user-logout --email E`: ends every session of the account; returns how many there were. */
export async function logoutEverywhere(db: Db, email: string): Promise<number> {
  const normalized = normalizeEmail(email);
  const row = await findUserByEmail(db, normalized);
  if (!row) throw errors.notFound(`no account with the email ${normalized}`);
  return deleteUserSessions(db, row.id);
}

export async function changePassword(db: Db, userId: number, current: string, next: string): Promise<void> {
  const row = await findUserById(db, userId);
  if (!row) throw errors.unauthorized();
  // Re-authentication counts against the same limit as logging in: a stolen session cannot guess.
  await refuseIfLockedOut(db, row.id);
  if (!(await verifyPassword(row.password_hash, current))) {
    await recordFailure(db, row.id, new Date(), new Date(Date.now() - HOUR_MS));
    throw errors.validation(undefined, [
      { field: 'current_password', message: 'The current password is not correct.' },
    ]);
  }
  checkNewPassword(
    next,
    [row.email, row.email.split('@')[0] ?? '', row.display_name, current],
    'new_password',
  );
  await updatePasswordHash(db, userId, await hashPassword(next));
}

/** Gives an existing account another role (from the operator's shell: `webstack user role`). */
export async function setRole(db: Db, email: string, role: Role): Promise<User> {
  const normalized = normalizeEmail(email);
  const row = await findUserByEmail(db, normalized);
  if (!row) throw errors.notFound(`no account with the email ${normalized}`);
  await updateUserRole(db, normalized, role);
  return { ...toUser(row), role };
}
