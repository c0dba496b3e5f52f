import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import { HEALTH_PATH, READY_PATH } from '../../contract.js';
import { globalPlugin } from './global.js';

export const READY_TIMEOUT_MS = 1000;
/** Readiness answers from a check at most this old. */
export const READY_CHECK_EVERY_MS = 1000;

/**
 * Liveness never touches the database; readiness asks it one cheap question, with a deadline, at
 * most once a second.
 */
export const healthPlugin = globalPlugin<{ release: string }>('health', async (app, { release }) => {
  const config = { session: false, csrf: false, quiet: true };

  app.get(HEALTH_PATH, { config }, async () => ({
    status: 'ok',
    release,
    pid: process.pid,
    uptime: Math.round(process.uptime()),
  }));

  // The supervisor and every lb probe each worker every few seconds: they share one check per second.
  let last: { at: number; ready: Promise<boolean> } | null = null;
  const check = async (log: FastifyBaseLogger): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${READY_TIMEOUT_MS} ms`)),
        READY_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([sql`select 1`.execute(app.db), deadline]);
      return true;
    } catch (error) {
      log.warn({ err: error }, 'not ready: database unreachable');
      return false;
    } finally {
      clearTimeout(timer);
    }
  };

  app.get(READY_PATH, { config }, async (request, reply) => {
    const now = Date.now();
    // A failed check is kept for the second too: the next request after it asks again.
    if (last === null || now - last.at >= READY_CHECK_EVERY_MS) last = { at: now, ready: check(request.log) };
    if (await last.ready) return { status: 'ready', release };
    reply.header('retry-after', '5');
    return reply.code(503).send({ status: 'unavailable', release });
  });
});

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Log this route at debug level only (probes arrive every few seconds). */
    quiet?: boolean;
  }
}
