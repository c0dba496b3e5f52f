import { readFile } from 'node:fs/promises';
import type { StatusSnapshot } from '../../../contract.js';

/** The supervisor's latest snapshot, or null when there is none (yet) or it cannot be read. */
export async function readStatusSnapshot(file: string | undefined): Promise<StatusSnapshot | null> {
  if (!file) return null;
  try {
    const data = JSON.parse(await readFile(file, 'utf8')) as unknown;
    if (typeof data !== 'object' || data === null) return null;
    const snapshot = data as Partial<StatusSnapshot>;
    return Array.isArray(snapshot.points) && Array.isArray(snapshot.components)
      ? (snapshot as StatusSnapshot)
      : null;
  } catch {
    return null;
  }
}
