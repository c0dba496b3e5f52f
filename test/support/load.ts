/**
 * A steady load of reads and writes through nginx for the chaos test. Every request is recorded
 * (phase, method, status, when it ended, how long it took); a write carries a unique title and
 * counts as acknowledged only when it got a 2xx.
 */
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { waitFor } from './wait.js';

export interface Sample {
  phase: string;
  method: 'GET' | 'POST';
  path: string;
  /** 0: no HTTP answer at all (connection refused or reset). */
  status: number;
  endedAt: number;
  ms: number;
  /** Why there was no HTTP answer (e.g. ECONNRESET). */
  error?: string;
  /** A GET sent again, once, after the server closed the idle keep-alive connection it went on. */
  retried?: boolean;
}

export interface LoadOptions {
  /** Where the load goes (default: loopback); `host` is the Host header. */
  address?: string;
  port: number;
  host: string;
  readers: number;
  readPaths: readonly string[];
  /** Pause between two requests of one client, so the 2-core machine keeps room for the deploys. */
  pauseMs: number;
  cookie: string;
  csrfToken: string;
  /** The load stops by itself after this many requests (default 100 000), even if stop() is never called. */
  maxRequests?: number;
  /** ... and after this long (default 30 minutes). */
  maxMs?: number;
}

/**
 * One request. A GET that fails with a reset on a reused keep-alive connection, before any answer,
 * is sent once more on a new one: the server may close an idle connection (Nginx does on a
 * reload) just as a request goes out on it, and HTTP clients retry that (RFC 9112, 9.3.1;
 * browsers do, and Node's documentation shows the same with `reusedSocket`). A POST never is:
 * the writer opens a new connection for each one.
 */
async function send(
  options: LoadOptions,
  agent: Agent,
  method: 'GET' | 'POST',
  path: string,
  body?: string,
): Promise<{ status: number; error?: string; retried?: boolean }> {
  const first = await sendOnce(options, agent, method, path, body);
  if (method !== 'GET' || !first.reusedSocket || !['ECONNRESET', 'EPIPE'].includes(first.error ?? ''))
    return { status: first.status, ...(first.error ? { error: first.error } : {}) };
  const again = await sendOnce(options, agent, method, path, body);
  return { status: again.status, ...(again.error ? { error: again.error } : {}), retried: true };
}

function sendOnce(
  options: LoadOptions,
  agent: Agent,
  method: 'GET' | 'POST',
  path: string,
  body?: string,
): Promise<{ status: number; error?: string; reusedSocket?: boolean }> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { host: options.host };
    if (body !== undefined) {
      Object.assign(headers, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        cookie: options.cookie,
        'x-csrf-token': options.csrfToken,
      });
    }
    const req = request(
      {
        host: options.address ?? '127.0.0.1',
        port: options.port,
        method,
        path,
        headers,
        agent,
        timeout: 30_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
        res.on('error', (error: NodeJS.ErrnoException) =>
          resolve({ status: 0, error: error.code ?? error.message }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ status: 0, error: error.code ?? error.message, reusedSocket: req.reusedSocket }),
    );
    req.end(body);
  });
}

export class Load {
  phase = 'warm-up';
  readonly samples: Sample[] = [];
  /** Titles of the writes that got a 2xx. */
  readonly acknowledged: string[] = [];
  private running = true;
  private startedAt = 0;
  private get going(): boolean {
    return this.running && this.capReached() === null;
  }
  /** Why the load stopped by itself, or null while it runs within its bounds. */
  private capReached(): string | null {
    const maxRequests = this.options.maxRequests ?? 100_000;
    const maxMs = this.options.maxMs ?? 30 * 60_000;
    if (this.samples.length >= maxRequests) return `its cap of ${maxRequests} requests`;
    if (this.startedAt > 0 && Date.now() - this.startedAt >= maxMs)
      return `its cap of ${maxMs / 60_000} minutes`;
    return null;
  }
  private readonly loops: Promise<void>[] = [];
  private nextWrite = 1;
  /** Titles stay unique across the loads of one test process. */
  private readonly tag = randomBytes(3).toString('hex');

  constructor(private readonly options: LoadOptions) {}

  start(): void {
    this.startedAt = Date.now();
    for (let i = 0; i < this.options.readers; i++) this.loops.push(this.readLoop(i));
    this.loops.push(this.writeLoop());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Until GETS reads and POSTS writes of PHASE, ended after SINCE, have been answered. */
  async answered(
    phase: string,
    since: number,
    gets: number,
    posts: number,
    timeoutMs = 120_000,
  ): Promise<void> {
    await waitFor(
      () => {
        const mine = this.samples.filter((s) => s.phase === phase && s.endedAt > since);
        const got = mine.filter((s) => s.method === 'GET').length;
        return got >= gets && mine.length - got >= posts;
      },
      {
        what: `${gets} reads and ${posts} writes answered in "${phase}"`,
        timeoutMs,
        giveUp: () => {
          const cap = this.capReached();
          return cap ? `the load stopped by itself at ${cap}` : false;
        },
      },
    );
  }

  private record(
    method: Sample['method'],
    path: string,
    answer: { status: number; error?: string; retried?: boolean },
    began: number,
  ): void {
    const endedAt = Date.now();
    this.samples.push({ phase: this.phase, method, path, ...answer, endedAt, ms: endedAt - began });
  }

  private async readLoop(index: number): Promise<void> {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const paths = this.options.readPaths;
    for (let n = index; this.going; n++) {
      const path = paths[n % paths.length] ?? '/';
      const began = Date.now();
      this.record('GET', path, await send(this.options, agent, 'GET', path), began);
      await new Promise((resolve) => setTimeout(resolve, this.options.pauseMs));
    }
    agent.destroy();
  }

  private async writeLoop(): Promise<void> {
    // Each write on a connection of its own: a POST is never sent again, so it must never go out
    // on an idle keep-alive connection the server is closing (Nginx closes them on a reload).
    const agent = new Agent({ keepAlive: false, maxSockets: 1 });
    while (this.going) {
      const title = `chaos ${process.pid} write ${this.tag}-${this.nextWrite++}`;
      const body = JSON.stringify({ title, body: `Written under load by the chaos test: ${title}.` });
      const began = Date.now();
      const answer = await send(this.options, agent, 'POST', '/api/v1/articles', body);
      this.record('POST', '/api/v1/articles', answer, began);
      if (answer.status >= 200 && answer.status < 300) this.acknowledged.push(title);
      await new Promise((resolve) => setTimeout(resolve, this.options.pauseMs * 2));
    }
    agent.destroy();
  }
}

export interface PhaseReport {
  phase: string;
  requests: number;
  failures: Record<string, number>;
  failedGets: number;
  /** Longest time without a successful response, from the phase's start to its end. */
  longestGapMs: number;
  /** The same for writes alone: how long no write was acknowledged. */
  longestWriteGapMs: number;
  /** Slowest failed answer (ms). */
  slowestFailureMs: number;
  /** GETs sent again after a reset of an idle keep-alive connection (see send()), all answered. */
  retried: number;
}

export function isSuccess(sample: Sample): boolean {
  return sample.status >= 200 && sample.status < 400;
}

export function reportPhase(
  samples: readonly Sample[],
  phase: string,
  from: number,
  to: number,
): PhaseReport {
  const mine = samples.filter((s) => s.phase === phase);
  const failures: Record<string, number> = {};
  for (const s of mine.filter((x) => !isSuccess(x))) {
    const key = `${s.method} ${s.status || s.error || 'no answer'}`;
    failures[key] = (failures[key] ?? 0) + 1;
  }
  const longestGap = (which: readonly Sample[]) => {
    const successes = which
      .filter(isSuccess)
      .map((s) => s.endedAt)
      .sort((a, b) => a - b);
    let gap = 0;
    let last = from;
    for (const at of [...successes, to]) {
      gap = Math.max(gap, at - last);
      last = Math.max(last, at);
    }
    return gap;
  };
  return {
    phase,
    requests: mine.length,
    failures,
    failedGets: mine.filter((s) => s.method === 'GET' && !isSuccess(s)).length,
    longestGapMs: longestGap(mine),
    longestWriteGapMs: longestGap(mine.filter((s) => s.method === 'POST')),
    slowestFailureMs: Math.max(0, ...mine.filter((s) => !isSuccess(s)).map((s) => s.ms)),
    retried: mine.filter((s) => s.retried).length,
  };
}
