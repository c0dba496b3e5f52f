import type { Db } from '../database/database.js';
import { globalPlugin } from './global.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The site's Kysely instance over the worker's connection pool. */
    db: Db;
  }
}

/** Shares one pool per worker; the pool closes with the app, after in-flight requests finish. */
export const databasePlugin = globalPlugin<{ db: Db }>('database', async (app, { db }) => {
  app.decorate('db', db);
  app.addHook('onClose', async () => {
    await db.destroy();
  });
});
