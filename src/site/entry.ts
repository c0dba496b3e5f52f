import { Server } from 'node:net';
import type { SiteHandle, SiteSettings } from '../contract.js';
import { buildApp } from './app.js';

/**
 * How long idle keep-alive connections stay open after the site stops listening: longer than
 * Nginx's upstream keepalive_timeout (4 s), so Nginx closes them first and never races us.
 */
const IDLE_GRACE_MS = 5_000;

function openConnections(server: Server): Promise<number> {
  return new Promise((resolve) => server.getConnections((error, count) => resolve(error ? 0 : count)));
}

/** The release's entry point (SITE_ENTRY): what each application-server worker calls. */
export async function start(settings: SiteSettings): Promise<SiteHandle> {
  const app = await buildApp(settings);
  let closing = false;
  // While draining, every answer ends its connection, so Nginx opens the next one to a live worker.
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  await app.ready();
  return {
    listen: async () => {
      await app.listen({ host: settings.host, port: settings.port });
    },
    close: async () => {
      closing = true;
      if (app.server.listening) {
        // Stop accepting without http.Server#close(), which would reset idle keep-alive
        // connections at once and fail a request Nginx is sending on one at that instant.
        await new Promise<void>((resolve) => Server.prototype.close.call(app.server, () => resolve()));
        const deadline = Date.now() + IDLE_GRACE_MS;
        while (Date.now() < deadline && (await openConnections(app.server)) > 0) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      await app.close();
    },
    probe: async (path) => (await app.inject({ method: 'GET', url: path })).statusCode,
  };
}
