import { setTimeout as delay } from 'node:timers/promises';
import type { Argv } from '../host/host.js';
import { CommandFailed, localHost } from '../host/local.js';

/** Runs a command whose failure is expected when there is nothing to do (removing what is gone). */
export async function attempt(argv: Argv): Promise<boolean> {
  try {
    await localHost.run(argv, { timeoutMs: 30_000 });
    return true;
  } catch (error) {
    if (error instanceof CommandFailed) return false;
    throw error;
  }
}

/** Polls check() every `everyMs` until it is true; false if the bound passes first. */
export async function pollUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await delay(everyMs);
  }
}
