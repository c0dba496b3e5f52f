import { setTimeout as delay } from 'node:timers/promises';
import { WebstackError } from '../errors.js';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits until a process is gone, polling; fails after the bound. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      throw new WebstackError(
        'STOP_TIMEOUT',
        `process ${pid} is still running after ${Math.round(timeoutMs / 1000)}s`,
        `see \`webstack logs webstack\`; if it hangs, kill ${pid}`,
      );
    }
    await delay(100);
  }
}
