import type { App } from '../../app.js';
import { requireRole } from '../../plugins/session.js';
import { readStatusSnapshot } from './admin.service.js';
import { StatusPage } from './admin.views.js';

/** Administrators' pages: the stack's status, from the snapshot the supervisor writes. */
export async function adminRoutes(app: App, options: { statusFile?: string }): Promise<void> {
  // no-store from the first hook, so that the 401/403 answers are not cached either.
  const noStore = async (_request: unknown, reply: { header(name: string, value: string): unknown }) => {
    reply.header('cache-control', 'no-store');
  };
  app.get(
    '/admin/status',
    { onRequest: noStore, preHandler: requireRole('admin') },
    async (_request, reply) => {
      const snapshot = await readStatusSnapshot(options.statusFile);
      return reply.html(StatusPage({ context: reply.pageContext(), snapshot }));
    },
  );
}
