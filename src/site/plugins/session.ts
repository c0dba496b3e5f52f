import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../errors.js';
import {
  type ActiveSession,
  capUserSessions,
  deleteAllExpiredSessions,
  deleteExpiredSessions,
  deleteSession,
  deleteUserSessions,
  findActiveSession,
  insertSession,
  touchSession,
} from '../modules/users/sessions.repository.js';
import { type Actor, purgeLapsedLoginFailures } from '../modules/users/users.service.js';
import type { Role } from '../modules/users/users.table.js';
import { globalPlugin } from './global.js';

export const SESSION_COOKIE = 'sid';
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
export const SESSION_IDLE_MS = 7 * DAY;
export const SESSION_ABSOLUTE_MS = 30 * DAY;
/** last_seen_at is written at most this often, so reading pages does not mean writing rows. */
export const SESSION_TOUCH_MS = MINUTE;
/** Browsers logged in to one account at once; a new login drops the least recently used beyond this. */
export const MAX_SESSIONS_PER_USER = 20;
/** How often each worker deletes dead sessions of every account (logins only clean up their own). */
export const SESSION_PURGE_MS = 60 * MINUTE;

export type SessionUser = ActiveSession['user'];

declare module 'fastify' {
  interface FastifyRequest {
    /** The logged-in user, loaded once per request from the session cookie; null for visitors. */
    user: SessionUser | null;
    session: ActiveSession | null;
  }
  interface FastifyReply {
    /**
     * Logs the user in: ends the request's old session (rotation), issues a new token, sets the
     * cookie. `endOthers` first ends every session of the account (after a password change).
     */
    startSession(user: SessionUser, options?: { endOthers?: boolean }): Promise<void>;
    /** Logs out: deletes the session row (`all`: every session of the account) and clears the cookie. */
    endSession(options?: { all?: boolean }): Promise<void>;
  }
  interface FastifyContextConfig {
    /** false on routes that must never touch the database (health checks). */
    session?: boolean;
  }
}

/** The database keeps only a hash of the token: a leaked table cannot be replayed as cookies. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Under HTTPS the session cookie is `__Host-sid`: browsers then insist on Secure, Path=/ and no
 * Domain, so neither a plain-HTTP page nor a sibling subdomain can plant or overwrite it.
 */
export function sessionCookieName(request: FastifyRequest): string {
  return request.protocol === 'https' ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE;
}

/** Clearing a __Host- cookie needs the same Secure flag as setting it. */
function clearOptions(request: FastifyRequest) {
  return { path: '/', secure: request.protocol === 'https' };
}

export function cookieOptions(request: FastifyRequest, maxAgeMs: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    // request.protocol follows X-Forwarded-Proto from the trusted proxy (Nginx).
    secure: request.protocol === 'https',
    maxAge: Math.floor(maxAgeMs / 1000),
  };
}

export const sessionPlugin = globalPlugin('session', async (app) => {
  // The purge: each worker deletes every dead session now and then. unref'd so that it never keeps
  // a process alive, stopped in onClose; a failed run (database briefly down) waits for the next.
  // Lapsed login-throttle counts go in the same sweep.
  let running: Promise<void> | undefined;
  const sweep = async () => {
    const now = new Date();
    const sessions = await deleteAllExpiredSessions(app.db, now, new Date(now.getTime() - SESSION_IDLE_MS));
    const failures = await purgeLapsedLoginFailures(app.db, now);
    if (sessions + failures > 0) app.log.debug({ sessions, failures }, 'expired rows purged');
  };
  const purge = setInterval(() => {
    running ??= sweep()
      .catch((error: unknown) => app.log.warn({ err: error }, 'purging expired sessions failed'))
      .finally(() => {
        running = undefined;
      });
  }, SESSION_PURGE_MS);
  purge.unref();
  app.addHook('onClose', async () => {
    clearInterval(purge);
    // A sweep under way finishes before the pool closes.
    await running;
  });

  app.decorateRequest('user', null);
  app.decorateRequest('session', null);

  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.session === false) return;
    const token = request.cookies[sessionCookieName(request)];
    if (!token) return;
    const now = new Date();
    const session = /^[A-Za-z0-9_-]{43}$/.test(token)
      ? await findActiveSession(app.db, hashToken(token), now, new Date(now.getTime() - SESSION_IDLE_MS))
      : null;
    if (!session) {
      reply.clearCookie(sessionCookieName(request), clearOptions(request));
      return;
    }
    if (now.getTime() - session.lastSeenAt.getTime() > SESSION_TOUCH_MS) {
      await touchSession(app.db, session.id, now);
      // Sliding idle expiry: the cookie lives as long as the row can.
      reply.setCookie(sessionCookieName(request), token, cookieOptions(request, SESSION_IDLE_MS));
    }
    request.session = session;
    request.user = session.user;
  });

  app.decorateReply(
    'startSession',
    async function startSession(
      this: FastifyReply,
      user: SessionUser,
      { endOthers = false }: { endOthers?: boolean } = {},
    ) {
      const request = this.request;
      if (endOthers) await deleteUserSessions(app.db, user.id);
      else if (request.session) await deleteSession(app.db, request.session.id);
      const token = randomBytes(32).toString('base64url');
      const id = hashToken(token);
      const now = new Date();
      const csrfSecret = randomBytes(32).toString('hex');
      await deleteExpiredSessions(app.db, user.id, now, new Date(now.getTime() - SESSION_IDLE_MS));
      await insertSession(app.db, {
        id,
        userId: user.id,
        csrfSecret,
        now,
        expiresAt: new Date(now.getTime() + SESSION_ABSOLUTE_MS),
      });
      await capUserSessions(app.db, user.id, MAX_SESSIONS_PER_USER);
      this.setCookie(sessionCookieName(request), token, cookieOptions(request, SESSION_IDLE_MS));
      request.session = { id, csrfSecret, lastSeenAt: now, user };
      request.user = user;
    },
  );

  app.decorateReply(
    'endSession',
    async function endSession(this: FastifyReply, { all = false }: { all?: boolean } = {}) {
      const request = this.request;
      if (request.session && all) await deleteUserSessions(app.db, request.session.user.id);
      else if (request.session) await deleteSession(app.db, request.session.id);
      request.session = null;
      request.user = null;
      this.clearCookie(sessionCookieName(request), clearOptions(request));
    },
  );
});

/** The request's user as the services' permission checks take it (null for a visitor). */
export function actorOf(request: FastifyRequest): Actor | null {
  return request.user ? { id: request.user.id, role: request.user.role } : null;
}

/**
 * A preHandler for routes that need a logged-in user, optionally with one of some roles:
 * `{ preHandler: requireRole('admin', 'editor') }`. 401 (HTML GETs redirect to /login), then 403.
 */
export function requireRole(...roles: Role[]) {
  return async function checkRole(request: FastifyRequest): Promise<void> {
    if (!request.user) throw errors.unauthorized();
    if (roles.length > 0 && !roles.includes(request.user.role)) throw errors.forbidden();
  };
}
