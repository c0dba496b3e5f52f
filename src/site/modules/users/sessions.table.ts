import type { ColumnType, Selectable } from 'kysely';

/** One row per logged-in browser. `id` is the hex SHA-256 of the cookie's token, never the token. */
export interface SessionsTable {
  id: string;
  user_id: number;
  /** Random per-session secret from which CSRF tokens are derived. */
  csrf_secret: string;
  created_at: Date;
  last_seen_at: Date;
  /** Absolute expiry (created_at + 30 days); idle expiry is checked against last_seen_at. */
  expires_at: ColumnType<Date, Date, never>;
}

export type SessionRow = Selectable<SessionsTable>;
