/**
 * Page and limit parameters for lists. HTML lists use page numbers (links a person can read);
 * the JSON API uses cursors (lib/cursor.ts) and `limit`. Both are bounded so that a hostile
 * value costs nothing: out-of-range values are refused (400), never clamped silently into a
 * huge OFFSET.
 */

export const PAGE_SIZE = 12;
export const MAX_PAGE = 10_000;
export const API_DEFAULT_LIMIT = 20;
export const API_MAX_LIMIT = 100;

export class PaginationError extends Error {
  override readonly name = 'PaginationError';
}

/** `?page=` as typed by a person: absent → 1; anything else must be an integer 1..MAX_PAGE. */
export function parsePage(raw: unknown): number {
  if (raw === undefined || raw === '') return 1;
  if (typeof raw !== 'string' || !/^[0-9]{1,6}$/.test(raw))
    throw new PaginationError('page must be a positive integer');
  const page = Number(raw);
  if (page < 1 || page > MAX_PAGE) throw new PaginationError(`page must be between 1 and ${MAX_PAGE}`);
  return page;
}

export interface PageWindow {
  page: number;
  pageSize: number;
  offset: number;
}

export function pageWindow(page: number, pageSize = PAGE_SIZE): PageWindow {
  return { page, pageSize, offset: (page - 1) * pageSize };
}

export function pageCount(total: number, pageSize = PAGE_SIZE): number {
  return Math.max(1, Math.ceil(total / pageSize));
}
