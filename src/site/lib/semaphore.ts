/** The wait queue is full: the caller should answer 503 and let the client retry later. */
export class QueueFullError extends Error {
  override name = 'QueueFullError';
}

export interface ConcurrencyLimit {
  <T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Tasks waiting for a slot now. */
  readonly waiting: number;
}

/**
 * At most `max` of the given tasks run at once; the rest wait their turn, first come first
 * served, at most `maxWaiting` of them (more are refused at once with QueueFullError). A waiting
 * task whose `signal` aborts (its client went away) leaves the queue and never runs: its promise
 * rejects with the signal's reason. Used to bound argon2 hashing per worker (each takes 19 MiB
 * and a libuv thread). Pure.
 */
export function limitConcurrency(max: number, maxWaiting = Number.POSITIVE_INFINITY): ConcurrencyLimit {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`concurrency must be >= 1 (got ${max})`);
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  const limited = async <T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> => {
    signal?.throwIfAborted();
    // A freed slot passes straight to the next waiter, so `running` never drops and rises again.
    if (running < max) running++;
    else if (waiting.length >= maxWaiting) throw new QueueFullError(`${waiting.length} tasks already wait`);
    else {
      await new Promise<void>((resolve, reject) => {
        const turn = () => {
          signal?.removeEventListener('abort', leave);
          resolve();
        };
        const leave = () => {
          const at = waiting.indexOf(turn);
          if (at >= 0) waiting.splice(at, 1);
          reject(signal?.reason);
        };
        waiting.push(turn);
        signal?.addEventListener('abort', leave, { once: true });
      });
    }
    try {
      return await task();
    } finally {
      release();
    }
  };
  return Object.defineProperty(limited, 'waiting', { get: () => waiting.length }) as ConcurrencyLimit;
}
