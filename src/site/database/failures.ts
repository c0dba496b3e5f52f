/**
 * What a failed database call means, and whether running it again is safe. Pure: no I/O, no
 * timers, so the policy is unit-tested on its own (test/unit/site/database-failures.test.ts).
 *
 * On a Galera cluster behind HAProxy a writer failover shows up here as a burst of these:
 * HAProxy shuts the sessions to the dead node down (lost connections), a node out of the primary
 * component answers 1047, and a certification conflict at commit is reported as a deadlock, 1213.
 */

/**
 * - `rejected`: the server refused the statement or rolled its transaction back (deadlock or
 *   certification conflict, lock wait timeout, node not ready): nothing of it stayed.
 * - `unsent`: the statement never left the client (no connection could be made or taken).
 * - `lost`: the connection died while the statement was in flight: it may or may not have run.
 * - `saturated`: the pool had no connection in time; the database may be fine, only busy.
 * - `other`: anything else (a bug, a constraint violation...): not the database's availability.
 */
export type FailureKind = 'rejected' | 'unsent' | 'lost' | 'saturated' | 'other';

/** MySQL/MariaDB server error numbers after which nothing of the statement or transaction stayed. */
const REJECTED_ERRNOS = new Set([
  1213, // ER_LOCK_DEADLOCK: InnoDB deadlock, or a Galera certification conflict (the whole transaction rolled back)
  1047, // ER_UNKNOWN_COM_ERROR: "WSREP has not yet prepared node for application use" (non-Primary node)
  1205, // ER_LOCK_WAIT_TIMEOUT: the statement did not run (we roll the transaction back before a retry)
]);

/** Codes (mysql2's, Node's, the server's) of a connection that died or never came up. */
const CONNECTION_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'ENOENT', // the unix socket is gone
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ER_SERVER_SHUTDOWN', // 1053
  'ER_CONNECTION_KILLED', // 1927, MariaDB: KILL CONNECTION
  'ER_CON_COUNT_ERROR', // 1040 at connect
  'ER_TOO_MANY_USER_CONNECTIONS', // 1203 at connect
  'CR_SERVER_LOST', // 2013
  'CR_SERVER_GONE_ERROR', // 2006
]);
const CONNECTION_ERRNOS = new Set([1053, 1927, 2006, 2013]);
/**
 * Server errors after which a COMMIT may or may not have happened: treated as a lost connection.
 * 1180 ER_ERROR_DURING_COMMIT is how Galera reports a write-set it could not replicate, e.g.
 * "Error while appending streaming replication fragment (provider status: Not connected to
 * Primary Component)" when the node drops out of the primary component mid-commit: the cluster
 * may have ordered the write-set before the node lost it.
 */
const UNCERTAIN_ERRNOS = new Set([1180]);

/** Errors that are only ever raised before a statement is written to the socket. */
const UNSENT_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'EHOSTUNREACH', 'ENETUNREACH']);
// mysql2 errors that carry a message but no code.
const UNSENT_MESSAGES = new Set(["Can't add new command when connection is in closed state"]);
const SATURATED_MESSAGES = new Set(['Queue limit reached.', 'No connections available.']);

interface ErrorFields {
  code?: unknown;
  errno?: unknown;
  fatal?: unknown;
  message?: unknown;
}

function fields(error: unknown): ErrorFields {
  return typeof error === 'object' && error !== null ? (error as ErrorFields) : {};
}

/** Sorts a failed call's error into one of the kinds above. */
export function failureKind(error: unknown): FailureKind {
  const { code, errno, fatal, message } = fields(error);
  if (code === 'POOL_ACQUIRE_TIMEOUT') return 'saturated';
  if (typeof message === 'string' && SATURATED_MESSAGES.has(message)) return 'saturated';
  if (typeof errno === 'number' && REJECTED_ERRNOS.has(errno)) return 'rejected';
  if (typeof code === 'string' && UNSENT_CODES.has(code)) return 'unsent';
  if (typeof message === 'string' && UNSENT_MESSAGES.has(message)) return 'unsent';
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return 'lost';
  if (typeof errno === 'number' && CONNECTION_ERRNOS.has(errno)) return 'lost';
  if (typeof errno === 'number' && UNCERTAIN_ERRNOS.has(errno)) return 'lost';
  // mysql2 marks connection-level failures as fatal; a server error (ER_...) is not one.
  if (fatal === true && !(typeof code === 'string' && code.startsWith('ER_'))) return 'lost';
  return 'other';
}

/**
 * What was being done when the error came:
 * - `connect`: taking a connection from the pool (nothing sent yet);
 * - `read`: a SELECT outside a transaction;
 * - `write`: any other statement outside a transaction (it commits by itself);
 * - `idempotent`: a write that leaves the same rows when it runs twice (marked by its caller);
 * - `transaction`: a statement inside a transaction, before COMMIT (nothing committed yet);
 * - `commit`: the COMMIT of a transaction.
 */
export type Step = 'connect' | 'read' | 'write' | 'idempotent' | 'transaction' | 'commit';

/**
 * - `retry`: run it again (for `transaction`: the whole transaction, from its start);
 * - `ambiguous`: a write that may have committed: answer that the outcome is unknown, never redo it;
 * - `unavailable`: the database cannot serve now: answer 503 with Retry-After;
 * - `fail`: not a database-availability problem: let the error through.
 */
export type Decision = 'retry' | 'ambiguous' | 'unavailable' | 'fail';

export function decide(error: unknown, step: Step): Decision {
  const kind = failureKind(error);
  switch (kind) {
    case 'other':
      return 'fail';
    // A busy pool is not helped by more attempts queueing on it.
    case 'saturated':
      return 'unavailable';
    case 'unsent':
      return 'retry';
    case 'rejected':
      return 'retry';
    case 'lost':
      if (step === 'write' || step === 'commit') return 'ambiguous';
      return 'retry';
  }
}

/** True for errors that mean "the database cannot serve right now" (answer 503, retry later). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof OutcomeUnknownError) return true;
  const kind = failureKind(error);
  if (kind !== 'other') return true;
  const { message } = fields(error);
  // The pool closes while the worker drains: a request caught by it may try again elsewhere.
  return message === 'Pool is closed.';
}

/** A write whose connection died after it was sent: it may have committed. Never retried blindly. */
export class OutcomeUnknownError extends Error {
  override name = 'OutcomeUnknownError';
  readonly code = 'WRITE_OUTCOME_UNKNOWN';
  constructor(override readonly cause: unknown) {
    super(
      `the database connection was lost while a write was being committed: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
}

export interface RetryBudget {
  /** Pauses before attempt 2, 3, ... (the last one repeats). */
  delaysMs: readonly number[];
  /** No retry starts once this much time has passed since the first attempt. */
  totalMs: number;
  /** Attempts in all, the first one included. */
  maxAttempts: number;
}

/**
 * Absorbs a writer failover (HAProxy moves in about 2 s) without holding a request for long:
 * pauses of 50, 100, 200, 400, 800 ms, then 500 ms each, and nothing new after 3.5 s (the time
 * is the bound, not the count: a node that refuses every statement while HAProxy notices it is
 * draining answers each attempt at once).
 */
export const DEFAULT_RETRY_BUDGET: RetryBudget = {
  delaysMs: [50, 100, 200, 400, 800, 500],
  totalMs: 3500,
  maxAttempts: 12,
};

/**
 * How long to wait before attempt `attempt + 1` (attempts count from 1), or null when the
 * budget is spent: too many attempts, or the pause would end past `totalMs` since the start.
 */
export function retryDelay(budget: RetryBudget, attempt: number, elapsedMs: number): number | null {
  if (attempt >= budget.maxAttempts) return null;
  const pause = budget.delaysMs[Math.min(attempt - 1, budget.delaysMs.length - 1)] ?? 0;
  if (elapsedMs + pause > budget.totalMs) return null;
  return pause;
}
