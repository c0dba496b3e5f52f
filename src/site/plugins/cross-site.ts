import type { FastifyRequest } from 'fastify';
import { errors } from '../errors.js';
import { globalPlugin } from './global.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The media type of a Content-Type header, without parameters, lower case ('' when absent). */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * Whether a browser says this request comes from another site: `Sec-Fetch-Site: cross-site`, or
 * an `Origin` other than the site's own (`null` too: sandboxed frames and some redirects send it).
 * A request with neither header (curl, a server, an old browser's same-origin form) is not.
 * `same-site` (a sibling subdomain such as the apex that redirects to www) is left to the CSRF token. Pure.
 */
export function isCrossSite(
  headers: { origin?: string | undefined; 'sec-fetch-site'?: string | string[] | undefined },
  siteOrigin: string,
): boolean {
  if (headers['sec-fetch-site'] === 'cross-site') return true;
  return headers.origin !== undefined && headers.origin !== siteOrigin;
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (
    request.headers['content-type'] !== undefined ||
    request.headers['transfer-encoding'] !== undefined ||
    (length !== undefined && length !== '0')
  );
}

/**
 * Refuses what another site can make a browser send, before anything reads a cookie or a body:
 * an unsafe request from another site is 403 (nothing is written: it runs before the session
 * hook, which may touch the session row), and the JSON API takes only `application/json` bodies
 * (415), which a cross-site HTML form cannot send. `siteOrigin` comes from the public URL setting.
 */
export const crossSitePlugin = globalPlugin<{ publicUrl: string }>(
  'cross-site',
  async (app, { publicUrl }) => {
    const siteOrigin = new URL(publicUrl).origin;
    app.addHook('onRequest', async (request) => {
      if (SAFE_METHODS.has(request.method)) return;
      if (isCrossSite(request.headers, siteOrigin)) throw errors.crossSite();
      if (request.url.startsWith('/api/') && hasBody(request)) {
        if (mediaType(request.headers['content-type']) !== 'application/json')
          throw errors.unsupportedMediaType();
      }
    });
  },
);
