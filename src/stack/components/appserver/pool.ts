import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { HEALTH_PATH, READY_PATH } from '../../../contract.js';
import { WebstackError } from '../../core/errors.js';
import { DEFAULT_BACKOFF, nextStreak, restartDelay } from './backoff.js';
import { Member, type WorkerScript } from './member.js';
import { type AppServerOptions, type AppServerStatus, WorkerFailed, type WorkerStatus } from './types.js';

export type { BackoffPolicy } from './backoff.js';
export type { WorkerScript } from './member.js';
export { type AppServerOptions, type AppServerStatus, WorkerFailed, type WorkerStatus } from './types.js';

/** One of the N places a worker serves from; a crashed worker's slot waits for its backed-off replacement. */
interface Slot {
  member: Member | null;
  releaseDir: string;
  release: string;
  restarts: number;
  streak: number;
  timer: NodeJS.Timeout | null;
}

export function defaultWorkerScript(): WorkerScript {
  return { path: fileURLToPath(new URL('./worker.js', import.meta.url)), execArgv: [] };
}

/**
 * The application server: N node:cluster workers sharing one port, each running the active
 * release. Must run in the cluster primary (the webstack daemon). Crashed workers come back with
 * exponential backoff; a deploy replaces workers one at a time and never leaves the port unserved.
 */
export class AppServer {
  private release: string;
  private releaseDir: string;
  private readonly slots: Slot[] = [];
  private readonly live = new Set<Member>();
  /** 'starting': a worker that dies before ready fails start(); one that dies after is restarted. */
  private phase: 'idle' | 'starting' | 'running' | 'stopping' = 'idle';
  private deploying = false;
  private restarts = 0;

  constructor(private readonly options: AppServerOptions) {
    this.release = options.release;
    this.releaseDir = options.releaseDir;
  }

  /** Forks the workers and resolves when every one is ready; on failure none is left running. */
  async start(): Promise<void> {
    if (this.phase !== 'idle') return;
    this.phase = 'starting';
    // Workers accept on the shared socket themselves (SCHED_NONE) rather than the primary handing
    // each accepted connection over IPC (round-robin): a connection handed to a worker that was
    // SIGKILLed a moment earlier stays open in the primary with nobody to answer it, and Nginx
    // waits its whole read timeout. Accepted by the kernel into a dying worker, it is reset
    // instead, and Nginx retries an idempotent request on another worker at once.
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    for (let i = 0; i < Math.max(1, this.options.workers); i++) {
      const member = this.fork(this.releaseDir, this.release);
      this.slots.push({
        member,
        releaseDir: this.releaseDir,
        release: this.release,
        restarts: 0,
        streak: 0,
        timer: null,
      });
    }
    const members = this.slots.map((slot) => slot.member).filter((member) => member !== null);
    const results = await Promise.allSettled(members.map((member) => member.ready));
    const failed = results.findIndex((result) => result.status === 'rejected');
    if (failed === -1) {
      this.phase = 'running';
      this.options.log(`appserver: ${members.length} workers ready on release ${this.release}`);
      return;
    }
    const culprit = members[failed] as Member;
    await this.stop();
    const outcome = results[failed];
    throw this.failure('APP_START_FAILED', culprit, outcome?.status === 'rejected' ? outcome.reason : null);
  }

  /**
   * Rolling replace: per slot, fork a worker on the new release, wait until it is ready, then retire
   * the old one. If a new worker fails, slots already switched get the old release back first,
   * then the failed worker is retired, and WorkerFailed is thrown: the old release keeps serving.
   */
  async deploy(releaseDir: string, release: string): Promise<void> {
    if (this.phase !== 'running') {
      throw new WebstackError('APP_NOT_RUNNING');
    }
    if (this.deploying) {
      throw new WebstackError('DEPLOY_IN_PROGRESS');
    }
    this.deploying = true;
    const previous = { releaseDir: this.releaseDir, release: this.release };
    const switched: Slot[] = [];
    try {
      for (const slot of this.slots) {
        const candidate = this.fork(releaseDir, release);
        const problem = await candidate.ready.then(
          () =>
            candidate.state === 'ready' && this.phase === 'running'
              ? null
              : new Error('stopped before it served'),
          (error: unknown) => error,
        );
        if (problem) {
          await this.restore(switched, previous);
          await candidate.retire();
          throw this.failure('DEPLOY_NOT_READY', candidate, problem);
        }
        await this.swap(slot, candidate);
        switched.push(slot);
      }
      this.release = release;
      this.releaseDir = releaseDir;
      this.options.log(`appserver: release ${release} serves on all workers`);
    } finally {
      this.deploying = false;
    }
  }

  /** Graceful stop: every worker drains (bounded), stragglers are killed. */
  async stop(): Promise<void> {
    this.phase = 'stopping';
    for (const slot of this.slots) if (slot.timer) clearTimeout(slot.timer);
    await Promise.all([...this.live].map((member) => member.retire()));
    this.slots.length = 0;
    this.phase = 'idle';
  }

  async status(): Promise<AppServerStatus> {
    const inSlots = new Set(this.slots.map((slot) => slot.member));
    const entries: Array<{ member: Member | null; slot: Slot | null }> = [
      ...this.slots.map((slot) => ({ member: slot.member, slot })),
      ...[...this.live].filter((member) => !inSlots.has(member)).map((member) => ({ member, slot: null })),
    ];
    const workers = await Promise.all(
      entries.map(async ({ member, slot }): Promise<WorkerStatus> => {
        const restarts = slot?.restarts ?? 0;
        if (!member) {
          const release = slot?.release ?? this.release;
          return {
            pid: null,
            release,
            startedAt: null,
            restarts,
            state: 'restarting',
            health: null,
            ready: null,
          };
        }
        const [health, ready] = await Promise.all([member.probe(HEALTH_PATH), member.probe(READY_PATH)]);
        const { pid, release, state } = member;
        return { pid, release, startedAt: member.startedAt.toISOString(), restarts, state, health, ready };
      }),
    );
    return { release: this.release, workers, restarts: this.restarts };
  }

  private fork(releaseDir: string, release: string): Member {
    if (this.phase === 'stopping' || this.phase === 'idle') {
      // A deploy racing stop(): a worker forked now would outlive the supervisor.
      throw new WebstackError('APP_STOPPING');
    }
    const { settings, readyTimeoutMs = 20_000, drainTimeoutMs = 10_000 } = this.options;
    const member = new Member({
      script: this.options.workerScript ?? defaultWorkerScript(),
      releaseDir,
      settings: { ...settings, release },
      readyTimeoutMs,
      drainTimeoutMs,
      output: this.options.output ?? ((line) => process.stdout.write(`${line}\n`)),
      ...(this.options.runAs ? { runAs: this.options.runAs } : {}),
    });
    this.live.add(member);
    void member.exited.then(() => {
      this.live.delete(member);
      this.onExit(member);
    });
    return member;
  }

  /** Puts a ready worker in the slot and retires the one it replaces. */
  private async swap(slot: Slot, member: Member): Promise<void> {
    if (slot.timer) clearTimeout(slot.timer);
    const old = slot.member;
    Object.assign(slot, { member, releaseDir: member.releaseDir, release: member.release, timer: null });
    if (slot.release !== old?.release) Object.assign(slot, { restarts: 0, streak: 0 });
    await old?.retire();
  }

  /** Gives the old release back to the slots a failed deploy had switched, newest first. */
  private async restore(switched: Slot[], previous: { releaseDir: string; release: string }): Promise<void> {
    for (const slot of switched.reverse()) {
      if (this.phase !== 'running') return;
      const member = this.fork(previous.releaseDir, previous.release);
      try {
        await member.ready;
        await this.swap(slot, member);
      } catch (error) {
        // The new release keeps this slot: something serving beats nothing.
        this.options.log(`appserver: could not restore release ${previous.release}: ${String(error)}`);
        await member.retire();
      }
    }
  }

  /** A worker the supervisor did not ask to go is replaced after a backed-off delay. */
  private onExit(member: Member): void {
    const slot = this.slots.find((candidate) => candidate.member === member);
    if (!slot || member.retiring) return;
    if (this.phase === 'idle' || this.phase === 'stopping') return;
    if (this.phase === 'starting' && member.readyAt === null) return;
    const policy = this.options.backoff ?? DEFAULT_BACKOFF;
    const upMs = member.readyAt === null ? 0 : Date.now() - member.readyAt;
    slot.member = null;
    slot.streak = nextStreak(slot.streak, upMs, policy);
    slot.restarts++;
    this.restarts++;
    const delay = restartDelay(slot.streak, policy);
    this.options.log(
      `appserver: worker ${member.pid} (release ${slot.release}) exited; replacing it in ${delay} ms`,
    );
    slot.timer = setTimeout(() => {
      slot.timer = null;
      if (this.phase === 'running' && slot.member === null)
        slot.member = this.fork(slot.releaseDir, slot.release);
    }, delay);
  }

  private failure(code: WorkerFailed['code'], member: Member, problem: unknown): WorkerFailed {
    const reason = problem instanceof Error ? problem.message : String(problem);
    return new WorkerFailed(code, member.release, reason, member.lastLines());
  }
}
