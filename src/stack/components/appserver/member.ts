import cluster, { type Worker } from 'node:cluster';
import type { Readable } from 'node:stream';
import { SITE_ENV, type SiteSettings } from '../../../contract.js';
import { isWorkerMessage, type PrimaryMessage, RELEASE_DIR_ENV } from './protocol.js';
import { workerEnv } from './worker-env.js';

/** The worker program and the Node.js flags it runs with (e.g. `--import tsx` for worker.ts in tests). */
export interface WorkerScript {
  path: string;
  execArgv: string[];
}

export interface MemberOptions {
  script: WorkerScript;
  releaseDir: string;
  settings: SiteSettings;
  readyTimeoutMs: number;
  drainTimeoutMs: number;
  /** Every line the worker prints (the site's JSON logs, stack traces). */
  output: (line: string) => void;
  /** Drop privileges: the worker runs as this account (the supervisor runs as root). */
  runAs?: { uid: number; gid: number };
}

export type MemberState = 'starting' | 'ready' | 'draining' | 'exited';

/** Why a worker never became ready. */
export class NotReady extends Error {}

const TAIL_LINES = 30;
/** Time for the worker to load the release before its own readiness deadline starts. */
const LOAD_GRACE_MS = 5_000;
/** Time past the worker's own drain bound before it is killed. */
const KILL_GRACE_MS = 2_000;

/** One cluster worker running one release: its lifecycle, its output and its probes. */
export class Member {
  readonly worker: Worker;
  readonly pid: number;
  readonly release: string;
  readonly releaseDir: string;
  readonly startedAt = new Date();
  state: MemberState = 'starting';
  readyAt: number | null = null;
  /** Set when the supervisor asked it to go: its exit is not a crash. */
  retiring = false;
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  private readonly tail: string[] = [];
  private readonly probes = new Map<number, (status: number | null) => void>();
  private nextProbeId = 1;

  constructor(private readonly options: MemberOptions) {
    this.release = options.settings.release;
    this.releaseDir = options.releaseDir;
    // setupPrimary applies to the next fork only, so each fork names its own script and release.
    cluster.setupPrimary({
      exec: options.script.path,
      execArgv: options.script.execArgv,
      args: [],
      cwd: options.releaseDir,
      silent: true,
      ...(options.runAs ?? {}),
    });
    this.worker = cluster.fork(
      workerEnv(process.env, { [RELEASE_DIR_ENV]: options.releaseDir, [SITE_ENV.release]: this.release }),
    );
    this.pid = this.worker.process.pid ?? 0;
    this.capture(this.worker.process.stdout);
    this.capture(this.worker.process.stderr);
    this.worker.on('error', () => {}); // a send to a dead worker: its 'exit' tells the story
    // 'close' comes after 'exit' once the output pipes are drained, so the tail is complete.
    this.exited = new Promise((resolve) => this.worker.process.once('close', () => resolve()));
    this.ready = this.watchReadiness();
    this.ready.catch(() => {}); // awaited by whoever cares; never an unhandled rejection
  }

  /** The worker's last lines of output, for the error that says why it failed. */
  lastLines(count = 20): string[] {
    return this.tail.slice(-count);
  }

  /** Asks the worker's site for `path` in-process; null when it does not answer in time. */
  probe(path: string, timeoutMs = 2_000): Promise<number | null> {
    if (this.state === 'exited') return Promise.resolve(null);
    const id = this.nextProbeId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(null), timeoutMs);
      const settle = (status: number | null) => {
        clearTimeout(timer);
        this.probes.delete(id);
        resolve(status);
      };
      this.probes.set(id, settle);
      this.send({ type: 'probe', id, path });
    });
  }

  /** Graceful: the worker stops accepting, finishes in-flight requests, exits; killed if it overstays. */
  async retire(): Promise<void> {
    this.retiring = true;
    if (this.state === 'exited') return;
    this.state = 'draining';
    this.send({ type: 'drain' });
    const killTimer = setTimeout(() => this.kill(), this.options.drainTimeoutMs + KILL_GRACE_MS);
    await this.exited;
    clearTimeout(killTimer);
  }

  kill(): void {
    if (this.state !== 'exited') this.worker.process.kill('SIGKILL');
  }

  private send(message: PrimaryMessage): void {
    if (this.worker.isConnected()) this.worker.send(message, () => {});
  }

  private watchReadiness(): Promise<void> {
    const { settings, readyTimeoutMs, drainTimeoutMs } = this.options;
    return new Promise((resolve, reject) => {
      let failure: string | null = null;
      const budgetMs = readyTimeoutMs + LOAD_GRACE_MS;
      const giveUp = () => {
        reject(new NotReady(failure ?? `no ready report within ${Math.round(budgetMs / 1000)}s`));
        this.kill();
      };
      // Once until the worker says hello, then again from the start it is sent: the worker's own
      // deadline runs from there, and its own report (the reason it is not ready) must come first
      // even when a busy machine was slow to boot it.
      let timer = setTimeout(giveUp, budgetMs);
      this.worker.on('message', (message: unknown) => {
        if (!isWorkerMessage(message)) return;
        if (message.type === 'hello') {
          clearTimeout(timer);
          timer = setTimeout(giveUp, budgetMs);
          this.send({ type: 'start', settings, readyTimeoutMs, drainTimeoutMs });
        } else if (message.type === 'failed') failure = message.reason;
        else if (message.type === 'probed') this.probes.get(message.id)?.(message.status);
        else if (this.state === 'starting') {
          clearTimeout(timer);
          this.state = 'ready';
          this.readyAt = Date.now();
          resolve();
        }
      });
      this.worker.process.once('close', (code, signal) => {
        clearTimeout(timer);
        this.state = 'exited';
        for (const settle of this.probes.values()) settle(null);
        reject(new NotReady(failure ?? `exited (${signal ?? `code ${code}`}) before it was ready`));
      });
    });
  }

  private capture(stream: Readable | null | undefined): void {
    if (!stream) return;
    stream.setEncoding('utf8');
    let rest = '';
    const emit = (line: string) => {
      this.tail.push(line);
      if (this.tail.length > TAIL_LINES) this.tail.shift();
      this.options.output(line);
    };
    stream.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) emit(line);
    });
    stream.on('end', () => {
      if (rest) emit(rest);
    });
  }
}
