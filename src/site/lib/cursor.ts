/**
 * Opaque cursors for keyset pagination ordered by (timestamp DESC, id DESC). A cursor is the
 * base64url of a small JSON array [milliseconds, id]; clients treat it as an opaque string.
 * Anything that does not decode to exactly that shape is a client error (CursorError → 400).
 */

export interface CursorKey {
  /** The row's ordering timestamp, milliseconds since the epoch. */
  at: number;
  id: number;
}

export class CursorError extends Error {
  override readonly name = 'CursorError';
}

/** Far larger than any real cursor (~40 chars); bounds the work done on hostile input. */
export const CURSOR_MAX_LENGTH = 128;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Year 9999, as far as DATETIME goes. */
const MAX_TIME = 253402300799999;

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify([key.at, key.id])).toString('base64url');
}

export function decodeCursor(cursor: string): CursorKey {
  if (cursor.length === 0 || cursor.length > CURSOR_MAX_LENGTH || !BASE64URL.test(cursor)) {
    throw new CursorError('cursor is malformed');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new CursorError('cursor is malformed');
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw new CursorError('cursor is malformed');
  const [at, id] = parsed as unknown[];
  if (!Number.isSafeInteger(at) || (at as number) < 0 || (at as number) > MAX_TIME) {
    throw new CursorError('cursor is malformed');
  }
  if (!Number.isSafeInteger(id) || (id as number) < 1 || (id as number) > 2 ** 32) {
    throw new CursorError('cursor is malformed');
  }
  return { at: at as number, id: id as number };
}
