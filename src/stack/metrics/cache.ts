/**
 * A value collected at most once per interval: callers within `ttlMs` of the last collection (or
 * while one is running) share its result, so a storm of scrapes costs one collection per interval.
 * A failed collection is not kept: the next caller collects again.
 */
export class Cached<T> {
  private last: { at: number; value: Promise<T> } | null = null;

  constructor(
    private readonly collect: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<T> {
    const now = this.now();
    if (this.last && now - this.last.at < this.ttlMs) return this.last.value;
    const entry = { at: now, value: this.collect() };
    this.last = entry;
    entry.value.catch(() => {
      if (this.last === entry) this.last = null;
    });
    return entry.value;
  }
}
