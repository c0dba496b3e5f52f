import { sql } from 'kysely';
import { HEALTH_PATH, READY_PATH } from '../../contract.js';
import { globalPlugin } from './global.js';

export const READY_TIMEOUT_MS = 1000;

/** Liveness never touches the database; readiness asks it one cheap question, with a deadline. */
export const healthPlugin = globalPlugin<{ release: string }>('health', async (app, { release }) => {
  const config = { session: false, csrf: false, quiet: true };

  app.get(HEALTH_PATH, { config }, async () => ({
    status: 'ok',
    release,
    pid: process.pid,
    uptime: Math.round(process.uptime()),
  }));

  app.get(READY_PATH, { config }, async (request, reply) => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${READY_TIMEOUT_MS} ms`)),
        READY_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([sql`select 1`.execute(app.db), deadline]);
      return { status: 'ready', release };
    } catch (error) {
      request.log.warn({ err: error }, 'not ready: database unreachable');
      reply.header('retry-after', '5');
      return reply.code(503).send({ status: 'unavailable', release });
    } finally {
      clearTimeout(timer);
    }
  });
});

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Log this route at debug level only (probes arrive every few seconds). */
    quiet?: boolean;
  }
}
