import type { SiteSettings } from '../../../contract.js';

/**
 * The IPC messages between the supervisor (cluster primary) and a worker. Settings travel over IPC,
 * not the environment, so that the secrets in them never show in `/proc/PID/environ`.
 */

/** Environment variable naming the release directory a worker runs (also its cwd). */
export const RELEASE_DIR_ENV = 'WEBSTACK_RELEASE_DIR';

export type PrimaryMessage =
  | { type: 'start'; settings: SiteSettings; readyTimeoutMs: number; drainTimeoutMs: number }
  | { type: 'drain' }
  | { type: 'probe'; id: number; path: string };

export type WorkerMessage =
  /** The worker listens for messages: the primary may send 'start'. */
  | { type: 'hello' }
  /** probe(HEALTH_PATH) and probe(READY_PATH) both answered 200. */
  | { type: 'ready' }
  /** The worker could not start or become ready; it exits next. */
  | { type: 'failed'; reason: string }
  /** Answer to a probe: the status code, or null when the site is not started. */
  | { type: 'probed'; id: number; status: number | null };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** IPC data comes from another process: check its shape before trusting it. */
export function isWorkerMessage(value: unknown): value is WorkerMessage {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'hello':
    case 'ready':
      return true;
    case 'failed':
      return typeof value.reason === 'string';
    case 'probed':
      return typeof value.id === 'number' && (typeof value.status === 'number' || value.status === null);
    default:
      return false;
  }
}

export function isPrimaryMessage(value: unknown): value is PrimaryMessage {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'start':
      return (
        isRecord(value.settings) &&
        typeof value.readyTimeoutMs === 'number' &&
        typeof value.drainTimeoutMs === 'number'
      );
    case 'drain':
      return true;
    case 'probe':
      return typeof value.id === 'number' && typeof value.path === 'string';
    default:
      return false;
  }
}
