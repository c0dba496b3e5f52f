/**
 * The one way tests wait for something: poll a check until it holds, with a deadline. No test
 * sleeps a fixed time to wait for a condition; it waits for the condition itself.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface WaitOptions {
  /** What is waited for, for the failure message ("the worker to be replaced"). */
  what: string;
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** Pause between two checks (default 100 ms). */
  intervalMs?: number;
  /**
   * Asked before each check: a reason (e.g. "named exited") ends the wait at once with a
   * `WaitTimeout` instead of waiting out the deadline for a condition that can no longer hold.
   */
  giveUp?: () => string | false | undefined;
}

/** The condition did not hold before the deadline. */
export class WaitTimeout extends Error {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    readonly last: string,
    readonly gaveUp?: string,
  ) {
    super(
      gaveUp === undefined
        ? `timed out after ${timeoutMs} ms waiting for ${what}; last check: ${last}`
        : `gave up waiting for ${what} (${gaveUp}); last check: ${last}`,
    );
    this.name = 'WaitTimeout';
  }
}

function describeLast(outcome: { error: unknown } | { value: unknown } | null): string {
  if (outcome === null) return 'never ran';
  if ('error' in outcome) {
    const { error } = outcome;
    return `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  }
  let text: string;
  try {
    text = JSON.stringify(outcome.value) ?? String(outcome.value);
  } catch {
    text = String(outcome.value);
  }
  return `gave ${text.length > 500 ? `${text.slice(0, 500)}…` : text}`;
}

/**
 * Calls `check` until it returns something other than `undefined`, `null` or `false`, and returns
 * that value. A check that throws counts as not yet (its error is kept for the message). On
 * timeout (or when `giveUp` gives a reason), throws a `WaitTimeout` that says what was waited
 * for and what the last check gave.
 */
export async function waitFor<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: WaitOptions,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let last: { error: unknown } | { value: unknown } | null = null;
  for (;;) {
    const reason = options.giveUp?.();
    if (reason) throw new WaitTimeout(options.what, timeoutMs, describeLast(last), reason);
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() >= deadline) throw new WaitTimeout(options.what, timeoutMs, describeLast(last));
    await delay(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}
