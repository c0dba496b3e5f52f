import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { FastifyRequest } from 'fastify';
import { globalPlugin } from './global.js';

/** The header Nginx's micro-cache takes as "fetch this page again and store it" (stack: micro-cache.ts). */
export const CACHE_REFRESH_HEADER = 'x-webstack-refresh';
/** An answer (a page render behind Nginx) may take this long... */
const REFRESH_TIMEOUT_MS = 2000;
/** ...but a connection to an lb on the site's own network is there at once, or the lb is down. */
const CONNECT_TIMEOUT_MS = 500;
/**
 * An Nginx that took no connection is left out of refreshes this long, so that while an lb is
 * down one write in this time, not every write, waits for it. Its cache holds pages for
 * `http.microCacheSeconds`, and nobody reaches it while it is down.
 */
const DOWN_FOR_MS = 5000;

/** Why one refresh failed: `connect` when the Nginx took no connection at all. */
interface RefreshFailure {
  connect: boolean;
  message: string;
}

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

/** The Nginxes refreshes go to, less those that took no connection in the last DOWN_FOR_MS. */
export class RefreshTargets {
  private readonly downUntil = new Map<string, number>();
  private readonly origins: URL[];

  constructor(
    origins: readonly string[],
    private readonly now: () => number = Date.now,
  ) {
    this.origins = origins.map((origin) => new URL(origin));
  }

  up(): URL[] {
    const now = this.now();
    return this.origins.filter((origin) => (this.downUntil.get(origin.href) ?? 0) <= now);
  }

  down(origin: URL): void {
    this.downUntil.set(origin.href, this.now() + DOWN_FOR_MS);
  }
}

/** One refresh GET through one Nginx; resolves whatever happens (a failed refresh only leaves a page stale for a while). */
function refresh(origin: URL, host: string, path: string): Promise<RefreshFailure | null> {
  const send = origin.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let connected = false;
    const fail = (error: Error) => resolve({ connect: !connected, message: error.message });
    const req = send(
      {
        host: origin.hostname,
        port: origin.port || (origin.protocol === 'https:' ? 443 : 80),
        path,
        method: 'GET',
        headers: { host, [CACHE_REFRESH_HEADER]: '1' },
        // The lb's certificate names the site, not the address dialled; the answer is thrown away.
        servername: host,
        rejectUnauthorized: false,
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(null));
        res.on('error', fail);
      },
    );
    const connectTimer = setTimeout(
      () => req.destroy(new Error(`no connection within ${CONNECT_TIMEOUT_MS} ms`)),
      CONNECT_TIMEOUT_MS,
    );
    req.on('socket', (socket) => {
      socket.once('connect', () => {
        connected = true;
        clearTimeout(connectTimer);
      });
    });
    req.setTimeout(REFRESH_TIMEOUT_MS, () =>
      req.destroy(new Error(`no answer within ${REFRESH_TIMEOUT_MS} ms`)),
    );
    req.on('error', fail);
    req.on('close', () => clearTimeout(connectTimer));
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
    const targets = new RefreshTargets(origins);
    const host = new URL(publicUrl).host;
    const refreshAll = async (paths: readonly string[]): Promise<string[]> => {
      const failures = await Promise.all(
        targets.up().map(async (origin) => {
          const results = await Promise.all(paths.map((path) => refresh(origin, host, path)));
          const failed = results.filter((result): result is RefreshFailure => result !== null);
          if (failed.some((failure) => failure.connect)) {
            targets.down(origin);
            app.log.warn(
              { origin: origin.origin, reason: failed[0]?.message },
              `an Nginx took no connection: left out of cache refreshes for ${DOWN_FOR_MS / 1000} s`,
            );
          }
          return failed.map((failure) => `${origin.origin}: ${failure.message}`);
        }),
      );
      return failures.flat();
    };
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
