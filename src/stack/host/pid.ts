import { setTimeout as delay } from 'node:timers/promises';
import { WebstackError } from '../core/errors.js';
import type { Host } from './host.js';

/** Waits until a process is gone, polling; fails after the bound. */
export async function waitForExit(host: Host, pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await host.isAlive(pid)) {
    if (Date.now() > deadline) {
      throw new WebstackError('STOP_TIMEOUT', pid, Math.round(timeoutMs / 1000), pid);
    }
    await delay(100);
  }
}
