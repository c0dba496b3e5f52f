/**
 * URL slugs derived from titles. The UNIQUE index on each table is the real guard against
 * duplicates; `insertWithUniqueSlug` picks a likely-free slug and, when a concurrent writer
 * takes it first (ER_DUP_ENTRY), retries with the next suffix.
 */

export const SLUG_MAX_LENGTH = 80;
export const SLUG_PATTERN = '^[a-z0-9]+(?:-[a-z0-9]+)*$';
const SLUG_RE = new RegExp(SLUG_PATTERN);

/** "Crème Brûlée: 10 Tips!" → "creme-brulee-10-tips"; empty results fall back to `fallback`. */
export function slugify(title: string, fallback = 'untitled'): string {
  const slug = title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SLUG_MAX_LENGTH)
    .replace(/-+$/g, '');
  return slug === '' ? fallback : slug;
}

export function isSlug(value: string): boolean {
  return value.length <= SLUG_MAX_LENGTH && SLUG_RE.test(value);
}

/** The n-th candidate for a base slug: n=1 is the base itself, then base-2, base-3... within the max length. */
export function slugCandidate(base: string, n: number): string {
  if (n <= 1) return base;
  const suffix = `-${n}`;
  const head = base.slice(0, SLUG_MAX_LENGTH - suffix.length).replace(/-+$/g, '');
  return `${head}${suffix}`;
}

/** The first free candidate given the slugs already taken (those equal to base or base-N). */
export function nextFreeSlug(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let n = 1; ; n++) {
    const candidate = slugCandidate(base, n);
    if (!used.has(candidate)) return candidate;
  }
}

/** True for MySQL/MariaDB's duplicate-key error on a key whose name mentions `slug`. */
export function isDuplicateSlugError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === 'ER_DUP_ENTRY' && typeof message === 'string' && message.includes('slug');
}

export interface UniqueSlugOptions<T> {
  base: string;
  /** Slugs already in the table that start with `base` (a hint; the index decides). */
  taken: () => Promise<string[]>;
  insert: (slug: string) => Promise<T>;
  maxAttempts?: number;
}

export async function insertWithUniqueSlug<T>(
  options: UniqueSlugOptions<T>,
): Promise<{ slug: string; value: T }> {
  const { base, maxAttempts = 25 } = options;
  const taken = new Set(await options.taken());
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const slug = nextFreeSlug(base, taken);
    try {
      return { slug, value: await options.insert(slug) };
    } catch (error) {
      if (!isDuplicateSlugError(error)) throw error;
      taken.add(slug);
    }
  }
  throw new Error(`no free slug for "${base}" after ${maxAttempts} attempts`);
}
