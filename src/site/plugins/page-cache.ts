import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { FastifyRequest } from 'fastify';
import { globalPlugin } from './global.js';

/** The header Nginx's micro-cache takes as "fetch this page again and store it" (stack: micro-cache.ts). */
export const CACHE_REFRESH_HEADER = 'x-webstack-refresh';
const REFRESH_TIMEOUT_MS = 2000;

/** The anonymous pages a write under `route` changed, or none (not a write of a cached kind). Pure. */
export function pagesChangedBy(route: string, slug: string | undefined): string[] {
  const kind = /^(?:\/api\/v1)?\/(articles|products)(?:\/|$)/.exec(route)?.[1];
  if (!kind) return [];
  const lists = [
    '/',
    `/${kind}`,
    `/api/v1/${kind}`,
    '/sitemap.xml',
    ...(kind === 'articles' ? ['/feed.xml'] : []),
  ];
  return slug ? [...lists, `/${kind}/${slug}`, `/api/v1/${kind}/${slug}`] : lists;
}

/** One refresh GET through one Nginx; resolves whatever happens (a failed refresh only leaves a page stale for a while). */
function refresh(origin: URL, host: string, path: string): Promise<string | null> {
  const send = origin.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = send(
      {
        host: origin.hostname,
        port: origin.port || (origin.protocol === 'https:' ? 443 : 80),
        path,
        method: 'GET',
        headers: { host, [CACHE_REFRESH_HEADER]: '1' },
        timeout: REFRESH_TIMEOUT_MS,
        // The lb's certificate names the site, not the address dialled; the answer is thrown away.
        servername: host,
        rejectUnauthorized: false,
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(null));
        res.on('error', (error) => resolve(error.message));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REFRESH_TIMEOUT_MS} ms`)));
    req.on('error', (error) => resolve(error.message));
    req.end();
  });
}

/**
 * Refresh on write: once a write to articles or products has succeeded, and before its answer
 * goes out, every Nginx in `origins` fetches the pages it changed again (article or product page,
 * lists, home, feed, sitemap, their API twins). The next anonymous visitor, on any lb, sees the
 * change. Later list pages are left to the cache's short validity.
 */
export const pageCachePlugin = globalPlugin<{ origins: readonly string[]; publicUrl: string }>(
  'page-cache',
  async (app, { origins, publicUrl }) => {
    if (origins.length === 0) return;
    const targets = origins.map((origin) => new URL(origin));
    const host = new URL(publicUrl).host;
    const refreshAll = async (paths: readonly string[]): Promise<string[]> =>
      (
        await Promise.all(targets.flatMap((origin) => paths.map((path) => refresh(origin, host, path))))
      ).filter((failure): failure is string => failure !== null);
    // Writes share refreshes: one batch runs at a time, and the writes that arrive meanwhile all
    // wait for the next one, which starts after their commit. A burst of writes costs two batches
    // of page renders, not one per write (a write per batch would starve the workers it renders on).
    let running: Promise<unknown> | null = null;
    let next: { paths: Set<string>; done: Promise<string[]> } | null = null;
    const schedule = (paths: readonly string[]): Promise<string[]> => {
      if (!next) {
        const batch: { paths: Set<string>; done: Promise<string[]> } = {
          paths: new Set(),
          done: Promise.resolve([]),
        };
        batch.done = (async () => {
          await running?.catch(() => {});
          if (next === batch) next = null;
          const run = refreshAll([...batch.paths]);
          running = run;
          try {
            return await run;
          } finally {
            if (running === run) running = null;
          }
        })();
        next = batch;
      }
      for (const path of paths) next.paths.add(path);
      return next.done;
    };
    app.addHook('onSend', async (request: FastifyRequest, reply) => {
      if (request.method === 'GET' || request.method === 'HEAD' || reply.statusCode >= 400) return;
      const slug = (request.params as { slug?: unknown } | undefined)?.slug;
      const paths = pagesChangedBy(
        request.routeOptions.url ?? '',
        typeof slug === 'string' ? slug : undefined,
      );
      if (paths.length === 0) return;
      const failures = await schedule(paths);
      if (failures.length > 0)
        request.log.warn({ failures: failures.length, first: failures[0] }, 'refreshing cached pages failed');
    });
  },
);
