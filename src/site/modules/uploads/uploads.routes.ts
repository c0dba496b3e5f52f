import type { App } from '../../app.js';
import { getUpload } from './uploads.service.js';

/** Uploaded files never change under a name: browsers and the lb's Nginx may keep them for a year. */
export const UPLOAD_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** An uploaded file is never a document of the site: an HTML or SVG one stays inert. */
export const UPLOAD_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

/** True when an If-None-Match header lists this ETag (or is `*`); weak comparison, as for GET. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

/**
 * GET and HEAD /uploads/<name>, from the database. Public and identical for everyone: no session
 * is read and no cookie set, so Nginx can cache the answer (it never caches one that sets a cookie).
 */
export async function uploadsRoutes(app: App): Promise<void> {
  const config = { session: false, csrf: false };
  app.get<{ Params: { name: string } }>('/uploads/:name', { config }, async (request, reply) => {
    const upload = await getUpload(app.db, request.params.name);
    const etag = `"${upload.sha256}"`;
    reply
      .header('cache-control', UPLOAD_CACHE_CONTROL)
      .header('etag', etag)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', UPLOAD_CSP);
    if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply
      .type(upload.content_type)
      .header('content-length', String(upload.byte_length))
      .send(upload.data);
  });
}
