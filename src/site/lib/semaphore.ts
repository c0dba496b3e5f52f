/**
 * At most `max` of the given tasks run at once; the rest wait their turn, first come first
 * served. Used to bound argon2 hashing per worker (each takes 19 MiB and a libuv thread). Pure.
 */
export function limitConcurrency(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`concurrency must be >= 1 (got ${max})`);
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    // A freed slot passes straight to the next waiter, so `running` never drops and rises again.
    if (running < max) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      release();
    }
  };
}
