/**
 * How fast the supervisor replaces a crashed worker. Doubling delays mean a release that crashes on
 * every start costs a handful of forks a minute, not a CPU spinning on fork/exit.
 */
export interface BackoffPolicy {
  /** Delay before the first restart of a streak. */
  initialMs: number;
  /** Ceiling of the delay. */
  maxMs: number;
  /** A worker that served this long before crashing starts a fresh streak. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 100, maxMs: 30_000, resetAfterMs: 30_000 };

/** Delay before restart number `streak` (1-based) of a run of consecutive crashes. */
export function restartDelay(streak: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const doublings = Math.max(0, Math.floor(streak) - 1);
  return Math.min(policy.maxMs, policy.initialMs * 2 ** doublings);
}

/**
 * The streak after a crash: one more than before, or 1 when the crashed worker had been serving
 * (ready) for at least `resetAfterMs`. A worker that never became ready has `upMs` 0.
 */
export function nextStreak(previous: number, upMs: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  return upMs >= policy.resetAfterMs ? 1 : previous + 1;
}
