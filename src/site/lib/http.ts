import type { FastifyReply } from 'fastify';
import { errors } from '../errors.js';
import { CursorError, type CursorKey, decodeCursor } from './cursor.js';
import { PaginationError, parsePage } from './pagination.js';
import { isSlug } from './slug.js';

/** A cursor from a query string, or a 400 problem naming the `cursor` field. */
export function cursorParam(cursor: string | undefined): CursorKey | null {
  if (cursor === undefined) return null;
  try {
    return decodeCursor(cursor);
  } catch (error) {
    if (!(error instanceof CursorError)) throw error;
    throw errors.validation('The cursor is not valid.', [
      { field: 'cursor', message: 'cursor is malformed; pass nextCursor from a previous page unchanged' },
    ]);
  }
}

/**
 * Aborts when the client goes away before its answer is written (Nginx gave up on it, the visitor
 * left): queued work for it, such as a password hash, is then skipped.
 */
export function clientGoneSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort(errors.clientClosed());
  });
  return controller.signal;
}

/** `?page=` for HTML lists, or a 400 page. */
export function pageParam(raw: unknown): number {
  try {
    return parsePage(raw);
  } catch (error) {
    if (!(error instanceof PaginationError)) throw error;
    throw errors.badRequest(`${error.message}.`);
  }
}

/** A slug from the URL: anything that cannot be a slug is simply not found. */
export function slugParam(raw: string): string {
  if (!isSlug(raw)) throw errors.notFound();
  return raw;
}
