import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../errors.js';
import {
  type ActiveSession,
  deleteExpiredSessions,
  deleteSession,
  findActiveSession,
  insertSession,
  touchSession,
} from '../modules/users/sessions.repository.js';
import type { Actor } from '../modules/users/users.service.js';
import type { Role } from '../modules/users/users.table.js';
import { globalPlugin } from './global.js';

export const SESSION_COOKIE = 'sid';
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
export const SESSION_IDLE_MS = 7 * DAY;
export const SESSION_ABSOLUTE_MS = 30 * DAY;
/** last_seen_at is written at most this often, so reading pages does not mean writing rows. */
export const SESSION_TOUCH_MS = MINUTE;

export type SessionUser = ActiveSession['user'];

declare module 'fastify' {
  interface FastifyRequest {
    /** The logged-in user, loaded once per request from the session cookie; null for visitors. */
    user: SessionUser | null;
    session: ActiveSession | null;
  }
  interface FastifyReply {
    /** Logs the user in: ends the request's old session (rotation), issues a new token, sets the cookie. */
    startSession(user: SessionUser): Promise<void>;
    /** Logs out: deletes the session row and clears the cookie. */
    endSession(): Promise<void>;
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

  app.decorateReply('startSession', async function startSession(this: FastifyReply, user: SessionUser) {
    const request = this.request;
    if (request.session) await deleteSession(app.db, request.session.id);
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
    this.setCookie(sessionCookieName(request), token, cookieOptions(request, SESSION_IDLE_MS));
    request.session = { id, csrfSecret, lastSeenAt: now, user };
    request.user = user;
  });

  app.decorateReply('endSession', async function endSession(this: FastifyReply) {
    const request = this.request;
    if (request.session) await deleteSession(app.db, request.session.id);
    request.session = null;
    request.user = null;
    this.clearCookie(sessionCookieName(request), clearOptions(request));
  });
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
