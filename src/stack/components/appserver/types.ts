import type { SiteSettings } from '../../../contract.js';
import { WebstackError } from '../../core/errors.js';
import type { BackoffPolicy } from './backoff.js';
import type { MemberState, WorkerScript } from './member.js';

/** What the application server is given, what it reports and what it throws. */

export interface AppServerOptions {
  releaseDir: string;
  release: string;
  /** How many workers serve at once. */
  workers: number;
  settings: Omit<SiteSettings, 'release'>;
  log: (message: string) => void;
  /** Default: the compiled worker.js beside this file, run with no extra Node.js flags. */
  workerScript?: WorkerScript;
  /** How long a new worker may take to answer 200 on both health paths (default 20 s). */
  readyTimeoutMs?: number;
  /** How long a retiring worker may take to finish its in-flight requests (default 10 s). */
  drainTimeoutMs?: number;
  backoff?: BackoffPolicy;
  /** Receives every line the workers print (default: this process's stdout). */
  output?: (line: string) => void;
  /** The unprivileged account workers run as when the supervisor runs as root. */
  runAs?: { uid: number; gid: number };
}

export interface WorkerStatus {
  pid: number | null;
  release: string;
  startedAt: string | null;
  /** Crash restarts of this worker's slot since its release started there. */
  restarts: number;
  state: MemberState | 'restarting';
  /** Status codes of the worker's own HEALTH_PATH / READY_PATH (null: no answer). */
  health: number | null;
  ready: number | null;
}

export interface AppServerStatus {
  release: string;
  workers: WorkerStatus[];
  /** Crash restarts since start(), all slots together. */
  restarts: number;
}

/**
 * Raised when a release's workers do not become ready; carries the worker's last lines of output
 * (a failed deploy shows them under its message: the operator reads why without opening a log).
 */
export class WorkerFailed extends WebstackError<'APP_START_FAILED' | 'DEPLOY_NOT_READY'> {
  // Not a parameter property: its assignment would be emitted before the (conditional) super call.
  readonly lastLines: string[];

  constructor(
    code: 'APP_START_FAILED' | 'DEPLOY_NOT_READY',
    release: string,
    reason: string,
    lastLines: string[],
  ) {
    const output = lastLines.map((line) => `\n  | ${line}`).join('');
    if (code === 'DEPLOY_NOT_READY') super(code, release, reason, output);
    else super(code, release, reason);
    this.lastLines = lastLines;
  }
}
