import { setTimeout as delay } from 'node:timers/promises';
import { WebstackError } from '../core/errors.js';
import { isAlive } from './local.js';

export { isAlive };

/** Waits until a process is gone, polling; fails after the bound. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      throw new WebstackError('STOP_TIMEOUT', pid, Math.round(timeoutMs / 1000), pid);
    }
    await delay(100);
  }
}
