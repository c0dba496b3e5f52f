import argon2 from 'argon2';
import type { Db } from '../../database/database.js';
import { errors } from '../../errors.js';
import { passwordProblem } from '../../lib/passwords.js';
import { limitConcurrency, QueueFullError } from '../../lib/semaphore.js';
import {
  clearFailures,
  deleteLapsedFailures,
  findThrottle,
  recordFailure,
} from './login-throttle.repository.js';
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

/** Logins waiting for a hashing slot, per worker, beyond which the site answers 503 at once. */
export const HASH_QUEUE_MAX = 32;

/**
 * At most two argon2 hashes or verifications per worker at once: a login burst then costs each
 * worker 2 × 19 MiB and two libuv threads, leaving the rest of the pool (file and DNS work) and
 * page latency alone. At most HASH_QUEUE_MAX others wait (a longer queue only serves answers Nginx
 * has already given up on: 503 with Retry-After instead), and a waiter whose client is gone
 * leaves the queue without being hashed. Exported for the tests that fill it.
 */
export const passwordHashing = limitConcurrency(2, HASH_QUEUE_MAX);

async function hashingSlot<T>(task: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  try {
    return await passwordHashing(task, signal);
  } catch (error) {
    if (error instanceof QueueFullError) throw errors.loginBusy();
    throw error;
  }
}

export async function hashPassword(password: string, signal?: AbortSignal): Promise<string> {
  return hashingSlot(() => argon2.hash(password, HASH_OPTIONS), signal);
}

function verifyPassword(hash: string, password: string, signal: AbortSignal | undefined): Promise<boolean> {
  return hashingSlot(() => argon2.verify(hash, password), signal);
}

// Verified against for unknown emails, so "no such user" costs as long as "wrong password".
let dummyHash: Promise<string> | undefined;
function getDummyHash(signal: AbortSignal | undefined): Promise<string> {
  dummyHash ??= hashPassword('not-a-real-password-just-for-timing', signal).catch((error: unknown) => {
    dummyHash = undefined; // a full queue or a gone client must not spoil it for every later login
    throw error;
  });
  return dummyHash;
}

export interface NewUser {
  email: string;
  password: string;
  displayName: string;
  role?: Role;
}

/**
 * The login throttle (ASVS V2.2.1), per (account, address) pair and in the database (every worker
 * and app host shares it): THROTTLE_FREE_FAILURES failures cost nothing; after that each attempt
 * of the pair must wait a delay that doubles with every failure, up to THROTTLE_MAX_DELAY_MS.
 * Another address (the owner's) is never slowed, so nobody can lock anyone out; the per-address
 * rate limiter (authRateLimit) bounds how many pairs one address can try. A pair's count lapses a
 * day after its last failure.
 */
export const THROTTLE_FREE_FAILURES = 5;
export const THROTTLE_MAX_DELAY_MS = 15 * 60 * 1000;
export const THROTTLE_LAPSE_MS = 24 * 60 * 60 * 1000;

/** How long after the last failure the pair must wait, given its number of failures. Pure. */
export function throttleDelayMs(failures: number): number {
  if (failures < THROTTLE_FREE_FAILURES) return 0;
  return Math.min(1000 * 2 ** (failures - THROTTLE_FREE_FAILURES), THROTTLE_MAX_DELAY_MS);
}

/** Where a password attempt comes from (the throttle's key) and whether its client is still there. */
export interface AttemptContext {
  /** The client's address (request.ip); '' from the shell. */
  address?: string;
  /** Aborts when the client has gone: its turn to hash is skipped. */
  signal?: AbortSignal;
}

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

/**
 * The same answer, after the same work, whether the email is unknown, the password wrong, or the
 * pair throttled: unknown emails are throttled exactly like accounts (the key is the email as
 * typed), and a throttled pair is refused before any hashing, known or not.
 */
export async function authenticate(
  db: Db,
  email: string,
  password: string,
  { address = '', signal }: AttemptContext = {},
): Promise<User> {
  const account = normalizeEmail(email);
  const [row] = await Promise.all([findUserByEmail(db, account), refuseIfThrottled(db, account, address)]);
  // The dummy hash is made before taking a hashing slot (making it takes one too).
  const hash = row?.password_hash ?? (await getDummyHash(signal));
  const ok = await verifyPassword(hash, password, signal);
  if (!row || !ok) {
    await recordFailure(db, account, address, new Date(), new Date(Date.now() - THROTTLE_LAPSE_MS));
    throw errors.invalidCredentials();
  }
  await clearFailures(db, account, address);
  return toUser(row);
}

/** Inside the pair's delay the password is not even checked. */
async function refuseIfThrottled(db: Db, account: string, address: string): Promise<void> {
  const now = Date.now();
  const state = await findThrottle(db, account, address, new Date(now - THROTTLE_LAPSE_MS));
  if (state && now < state.lastFailedAt.getTime() + throttleDelayMs(state.failures))
    throw errors.tooManyAttempts();
}

/** The scheduled purge of lapsed throttle counts. */
export async function purgeLapsedLoginFailures(db: Db, now = new Date()): Promise<number> {
  return deleteLapsedFailures(db, new Date(now.getTime() - THROTTLE_LAPSE_MS));
}

/** `user-logout --email E`: ends every session of the account; returns how many there were. */
export async function logoutEverywhere(db: Db, email: string): Promise<number> {
  const normalized = normalizeEmail(email);
  const row = await findUserByEmail(db, normalized);
  if (!row) throw errors.notFound(`no account with the email ${normalized}`);
  return deleteUserSessions(db, row.id);
}

export async function changePassword(
  db: Db,
  userId: number,
  current: string,
  next: string,
  { address = '', signal }: AttemptContext = {},
): Promise<void> {
  const row = await findUserById(db, userId);
  if (!row) throw errors.unauthorized();
  // Re-authentication is throttled like logging in: a stolen session cannot guess the password.
  await refuseIfThrottled(db, row.email, address);
  if (!(await verifyPassword(row.password_hash, current, signal))) {
    await recordFailure(db, row.email, address, new Date(), new Date(Date.now() - THROTTLE_LAPSE_MS));
    throw errors.validation(undefined, [
      { field: 'current_password', message: 'The current password is not correct.' },
    ]);
  }
  checkNewPassword(
    next,
    [row.email, row.email.split('@')[0] ?? '', row.display_name, current],
    'new_password',
  );
  await updatePasswordHash(db, userId, await hashPassword(next, signal));
}

/** Gives an existing account another role (from the operator's shell: `webstack user role`). */
export async function setRole(db: Db, email: string, role: Role): Promise<User> {
  const normalized = normalizeEmail(email);
  const row = await findUserByEmail(db, normalized);
  if (!row) throw errors.notFound(`no account with the email ${normalized}`);
  await updateUserRole(db, normalized, role);
  return { ...toUser(row), role };
}
