import type { App } from '../../app.js';
import { errors } from '../../errors.js';
import { clientGoneSignal } from '../../lib/http.js';
import { requireRole } from '../../plugins/session.js';
import { type AuthRouteOptions, authRateLimit } from './users.routes.js';
import { ApiLogin, ApiRegister, LogoutQuery, PublicUser } from './users.schemas.js';
import { authenticate, register } from './users.service.js';

/** JSON API for the session and accounts (mounted under /api/v1); errors are problem+json. */
export async function usersApiRoutes(app: App, options: AuthRouteOptions = {}): Promise<void> {
  const limited = { rateLimit: authRateLimit(options) };

  app.get('/session', { preHandler: requireRole() }, async (request, reply) => {
    const user = request.user;
    if (!user) throw errors.unauthorized();
    return { user, csrfToken: reply.csrfToken() };
  });

  app.post('/session', { schema: { body: ApiLogin }, config: limited }, async (request, reply) => {
    const user = await authenticate(app.db, request.body.email, request.body.password, {
      address: request.ip,
      signal: clientGoneSignal(reply),
    });
    await reply.startSession(user);
    return { user, csrfToken: reply.csrfToken() };
  });

  // `DELETE /api/v1/session` logs this client out; `DELETE /api/v1/session?all=1` logs the account
  // out everywhere (every browser and API client). Both need the CSRF header with a cookie session.
  app.delete('/session', { schema: { querystring: LogoutQuery } }, async (request, reply) => {
    await reply.endSession({ all: request.query.all === '1' });
    return reply.code(204).send();
  });

  app.post(
    '/users',
    { schema: { body: ApiRegister, response: { 201: PublicUser } }, config: limited },
    async (request, reply) => {
      const user = await register(app.db, request.body);
      return reply.code(201).header('location', `/api/v1/users/${user.id}`).send(user);
    },
  );
}
