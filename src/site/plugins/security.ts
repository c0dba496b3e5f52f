import type { FastifyReply, FastifyRequest } from 'fastify';
import { loadCommonPasswords } from '../lib/passwords.js';
import { globalPlugin } from './global.js';

/** Pages that show or take secrets: never stored by a browser or any cache on the way. */
const SENSITIVE_PATH = /^\/(login|register|logout|account|admin|api\/v1\/session|api\/v1\/users)(\/|$|\?)/;

export function isSensitive(request: FastifyRequest): boolean {
  return SENSITIVE_PATH.test(request.url) || /\/(new|edit)(\?|$)/.test(request.url);
}

/**
 * The site's share of the response headers. Nginx adds CSP, nosniff, X-Frame-Options and the rest
 * to every answer (its own error pages too); the site decides what may be cached: sensitive pages
 * and anything shown to a logged-in user are `no-store`.
 */
export const securityPlugin = globalPlugin('security', async (app) => {
  // A release without the common-password list fails at start, not at the first sign-up.
  loadCommonPasswords();
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload) => {
    reply.removeHeader('x-powered-by');
    if (isSensitive(request)) reply.header('cache-control', 'no-store');
    else if (request.user && !reply.hasHeader('cache-control'))
      reply.header('cache-control', 'private, no-store');
    return payload;
  });
});
