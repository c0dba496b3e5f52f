import { nextStreak, restartDelay } from '../components/appserver/backoff.js';
import type { Child } from '../host/host.js';

/** A long-running child process started by a service module (mariadbd, nginx). */
export interface ManagedProcess {
  pid: number;
  child: Child;
  /** Graceful stop, bounded in time. */
  stop(): Promise<void>;
}

/**
 * Keeps one child running: restarts it when it exits without being asked to, with exponential
 * backoff so that a crash loop never spins the CPU.
 */
export class KeepAlive {
  state: 'starting' | 'running' | 'restarting' | 'stopped' | 'failed' = 'stopped';
  restarts = 0;
  startedAt: number | null = null;
  lastError: string | null = null;
  private current: ManagedProcess | null = null;
  private attempt = 0;
  private stopping = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly name: string,
    private readonly launch: () => Promise<ManagedProcess>,
    private readonly log: (message: string) => void,
  ) {}

  get pid(): number | null {
    return this.current?.pid ?? null;
  }

  async start(): Promise<void> {
    this.stopping = false;
    this.state = 'starting';
    await this.spawn();
  }

  private async spawn(): Promise<void> {
    const proc = await this.launch();
    this.current = proc;
    this.startedAt = Date.now();
    this.state = 'running';
    proc.child.once('exit', (code, signal) => this.onExit(proc, code, signal));
  }

  private onExit(proc: ManagedProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.current !== proc || this.stopping) return;
    this.current = null;
    const upFor = Date.now() - (this.startedAt ?? Date.now());
    this.attempt = nextStreak(this.attempt, upFor);
    this.scheduleRestart(`exited (${signal ?? `code ${code}`}) after ${Math.round(upFor / 1000)}s`);
  }

  private scheduleRestart(reason: string): void {
    this.restarts += 1;
    this.state = 'restarting';
    this.lastError = reason;
    const delay = restartDelay(this.attempt);
    this.log(`${this.name} ${reason}; restarting in ${delay} ms`);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.stopping) return;
      this.spawn().catch((error: Error) => {
        // A failed start counts like a crash: back off further and try again.
        this.attempt += 1;
        this.scheduleRestart(`failed to start: ${error.message}`);
      });
    }, delay);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    const proc = this.current;
    this.current = null;
    if (proc) await proc.stop();
    this.state = 'stopped';
    this.startedAt = null;
  }
}
