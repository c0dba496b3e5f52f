/**
 * One lab per machine: its bridge and its addresses are fixed. Test files that make a lab hold
 * this lock for their whole run, so that two of them never run at once (the runner runs two
 * files side by side). A lock left by a run that died (its PID gone) is taken over.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { webstackBin } from './stack.js';
import { waitFor } from './wait.js';

const LOCK = '/run/webstack-lab-test.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function tryTake(): Promise<boolean> {
  try {
    await mkdir(LOCK);
  } catch {
    const holder = Number(await readFile(join(LOCK, 'pid'), 'utf8').catch(() => ''));
    if (Number.isInteger(holder) && holder > 0 && alive(holder)) return false;
    // Its holder died (or is only now writing its pid: then the next try sees it).
    if (holder > 0) await rm(LOCK, { recursive: true, force: true });
    return false;
  }
  await writeFile(join(LOCK, 'pid'), `${process.pid}\n`);
  return true;
}

/** Waits until no other test file holds the lab; returns the release. */
export async function holdLab(): Promise<() => Promise<void>> {
  await waitFor(tryTake, { what: 'the other lab test to finish', timeoutMs: 1_200_000, intervalMs: 500 });
  return async () => {
    await rm(LOCK, { recursive: true, force: true });
  };
}

/**
 * Namespaces and the bridge belong to the whole machine: a run stopped by a signal (after() does
 * not run then) removes the lab in DIR and the test's PARENT directory too. Returns the undo.
 */
export function removeLabOnSignal(dir: string, parent: string): () => void {
  const down = (signal: NodeJS.Signals) => {
    try {
      execFileSync(process.execPath, [webstackBin, 'lab', 'down', '--dir', dir], {
        stdio: 'ignore',
        timeout: 60_000,
      });
      rmSync(parent, { recursive: true, force: true });
    } finally {
      process.kill(process.pid, signal);
    }
  };
  process.once('SIGTERM', down);
  process.once('SIGINT', down);
  return () => {
    process.off('SIGTERM', down);
    process.off('SIGINT', down);
  };
}
