import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../errors.js';
import { globalPlugin } from './global.js';
import { cookieOptions } from './session.js';

/** Visitors without a session get their CSRF secret in this cookie (double-submit, HMAC-bound). */
export const CSRF_COOKIE = 'csrf';
export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const ANON_MAX_AGE_MS = 24 * 60 * 60 * 1000;

declare module 'fastify' {
  interface FastifyReply {
    /** The token the next form on this page must send back (field `_csrf` or header `x-csrf-token`). */
    csrfToken(): string;
  }
  interface FastifyContextConfig {
    /** false only on routes that check the token themselves (e.g. streamed multipart uploads). */
    csrf?: boolean;
  }
}

/** token = HMAC(site secret, per-session secret): forging one needs both. Pure. */
export function deriveToken(siteSecret: string, scope: 'session' | 'anon', secret: string): string {
  return createHmac('sha256', siteSecret).update(`${scope}:${secret}`).digest('base64url');
}

export function tokensMatch(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token a request carries: the header first, then the form field (urlencoded or multipart). */
export function givenToken(request: FastifyRequest): string | undefined {
  const header = request.headers[CSRF_HEADER];
  if (typeof header === 'string') return header;
  const body = request.body as Record<string, unknown> | null | undefined;
  const field = typeof body === 'object' && body !== null ? body[CSRF_FIELD] : undefined;
  if (typeof field === 'string') return field;
  // @fastify/multipart with attachFieldsToBody puts { value } objects on the body.
  const value = (field as { value?: unknown } | undefined)?.value;
  return typeof value === 'string' ? value : undefined;
}

const ANON_SECRET = /^[A-Za-z0-9_-]{43}$/;

/**
 * Under HTTPS the anonymous cookie is `__Host-csrf` (as the session's `__Host-sid`): Secure,
 * Path=/ and no Domain, so neither a plain-HTTP page nor a sibling subdomain can plant a known
 * secret in a visitor's browser and forge the matching token.
 */
export function csrfCookieName(request: FastifyRequest): string {
  return request.protocol === 'https' ? `__Host-${CSRF_COOKIE}` : CSRF_COOKIE;
}

export const csrfPlugin = globalPlugin<{ secret: string }>('csrf', async (app, { secret }) => {
  function expectedToken(request: FastifyRequest): string | undefined {
    if (request.session) return deriveToken(secret, 'session', request.session.csrfSecret);
    const anon = request.cookies[csrfCookieName(request)];
    return anon && ANON_SECRET.test(anon) ? deriveToken(secret, 'anon', anon) : undefined;
  }

  /** Checks a token by hand (for routes with `config: { csrf: false }`); throws 403 when wrong. */
  function verify(request: FastifyRequest, token: string | undefined): void {
    const expected = expectedToken(request);
    if (!expected || !token || !tokensMatch(expected, token)) throw errors.csrf();
  }
  app.decorate('verifyCsrf', verify);

  app.decorateReply('csrfToken', function csrfToken(this: FastifyReply): string {
    const request = this.request;
    const existing = expectedToken(request);
    if (existing) return existing;
    const anon = randomBytes(32).toString('base64url');
    request.cookies[csrfCookieName(request)] = anon;
    this.setCookie(csrfCookieName(request), anon, cookieOptions(request, ANON_MAX_AGE_MS));
    return deriveToken(secret, 'anon', anon);
  });

  // preValidation: after the body is parsed (the form field is readable), before anything runs.
  app.addHook('preValidation', async (request) => {
    if (SAFE_METHODS.has(request.method) || request.routeOptions.config.csrf === false) return;
    // An API call without a cookie session carries no ambient authority: nothing to forge.
    if (request.url.startsWith('/api/') && !request.session) return;
    verify(request, givenToken(request));
  });
});

declare module 'fastify' {
  interface FastifyInstance {
    verifyCsrf(request: FastifyRequest, token: string | undefined): void;
  }
}
