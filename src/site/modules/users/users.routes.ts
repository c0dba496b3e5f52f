import type { FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import { type FieldError, fieldErrors, SiteError } from '../../errors.js';
import { clientGoneSignal } from '../../lib/http.js';
import { requireRole } from '../../plugins/session.js';
import { findUserById } from './users.repository.js';
import { LoginForm, LogoutQuery, NextQuery, PasswordForm, RegisterForm, safeNext } from './users.schemas.js';
import { authenticate, changePassword, register, toUser } from './users.service.js';
import { AccountPage, LoginPage, PasswordPage, RegisterPage } from './users.views.js';

/** The default of SiteSettings.authRatePerMinute. */
export const AUTH_RATE_PER_MINUTE = 10;

export interface AuthRouteOptions {
  /** Password POSTs per minute per address, per worker (a site setting; the bench raises it). */
  authRatePerMinute?: number;
}

/** Per IP, per worker: slows down password guessing and mass registration. */
export function authRateLimit(options: AuthRouteOptions): { max: number; timeWindow: string } {
  return { max: options.authRatePerMinute ?? AUTH_RATE_PER_MINUTE, timeWindow: '1 minute' };
}

function validationErrors(request: FastifyRequest): FieldError[] {
  const validation = request.validationError?.validation;
  return validation ? fieldErrors(validation) : [];
}

/** Echo non-secret fields back into a re-rendered form (only strings; the view escapes them). */
function formValues(body: unknown, names: readonly string[]): Record<string, string | undefined> {
  const source = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  return Object.fromEntries(names.map((n) => [n, typeof source[n] === 'string' ? source[n] : undefined]));
}

/** HTML pages for accounts: register, log in, log out, account, change password. */
export async function usersRoutes(app: App, options: AuthRouteOptions = {}): Promise<void> {
  const limited = { rateLimit: authRateLimit(options) };

  app.get('/register', { schema: { querystring: NextQuery } }, async (request, reply) =>
    reply.html(
      RegisterPage({ context: reply.pageContext(), csrfToken: reply.csrfToken(), next: request.query.next }),
    ),
  );

  app.post(
    '/register',
    { schema: { body: RegisterForm, querystring: NextQuery }, attachValidation: true, config: limited },
    async (request, reply) => {
      const values = formValues(request.body, ['email', 'display_name']);
      const render = (errors: FieldError[]) =>
        reply.code(400).html(
          RegisterPage({
            context: reply.pageContext(),
            csrfToken: reply.csrfToken(),
            errors,
            values,
            next: request.query.next,
          }),
        );
      const invalid = validationErrors(request);
      if (invalid.length > 0) return render(invalid);
      const { email, password, display_name } = request.body;
      try {
        const user = await register(app.db, { email, password, displayName: display_name });
        await reply.startSession(user);
      } catch (error) {
        if (error instanceof SiteError && error.statusCode < 500) {
          return render(error.errors ?? [{ field: 'email', message: error.message }]);
        }
        throw error;
      }
      return reply.redirect(safeNext(request.query.next, '/account'), 303);
    },
  );

  app.get('/login', { schema: { querystring: NextQuery } }, async (request, reply) =>
    reply.html(
      LoginPage({ context: reply.pageContext(), csrfToken: reply.csrfToken(), next: request.query.next }),
    ),
  );

  app.post(
    '/login',
    { schema: { body: LoginForm, querystring: NextQuery }, attachValidation: true, config: limited },
    async (request, reply) => {
      const values = formValues(request.body, ['email']);
      const render = (status: number, errors: FieldError[]) =>
        reply.code(status).html(
          LoginPage({
            context: reply.pageContext(),
            csrfToken: reply.csrfToken(),
            errors,
            values,
            next: request.query.next,
          }),
        );
      const invalid = validationErrors(request);
      if (invalid.length > 0) return render(400, invalid);
      try {
        const user = await authenticate(app.db, request.body.email, request.body.password, {
          address: request.ip,
          signal: clientGoneSignal(reply),
        });
        await reply.startSession(user);
      } catch (error) {
        if (error instanceof SiteError && (error.statusCode === 401 || error.statusCode === 429)) {
          return render(error.statusCode, [{ field: 'password', message: error.message }]);
        }
        throw error;
      }
      return reply.redirect(safeNext(request.query.next, '/account'), 303);
    },
  );

  // `/logout?all=1` (the account page's "Sign out everywhere"): every session of the account ends.
  app.post('/logout', { schema: { querystring: LogoutQuery } }, async (request, reply) => {
    await reply.endSession({ all: request.query.all === '1' });
    return reply.redirect('/', 303);
  });

  const loggedIn = { preHandler: requireRole() };

  app.get('/account', loggedIn, async (request, reply) => {
    const row = request.user ? await findUserById(app.db, request.user.id) : undefined;
    if (!row) return reply.redirect('/login?next=%2Faccount', 303);
    const notice =
      (request.query as { changed?: string }).changed === '1' ? 'Your password was changed.' : undefined;
    return reply.html(
      AccountPage({ context: reply.pageContext(), csrfToken: reply.csrfToken(), user: toUser(row), notice }),
    );
  });

  app.get('/account/password', loggedIn, async (_request, reply) =>
    reply.html(PasswordPage({ context: reply.pageContext(), csrfToken: reply.csrfToken() })),
  );

  app.post(
    '/account/password',
    { ...loggedIn, schema: { body: PasswordForm }, attachValidation: true },
    async (request, reply) => {
      const render = (errors: FieldError[]) =>
        reply
          .code(400)
          .html(PasswordPage({ context: reply.pageContext(), csrfToken: reply.csrfToken(), errors }));
      const invalid = validationErrors(request);
      if (invalid.length > 0) return render(invalid);
      const user = request.user;
      if (!user) return reply.redirect('/login', 303);
      try {
        await changePassword(app.db, user.id, request.body.current_password, request.body.new_password, {
          address: request.ip,
          signal: clientGoneSignal(reply),
        });
      } catch (error) {
        if (error instanceof SiteError && error.errors) return render(error.errors);
        if (error instanceof SiteError && error.statusCode === 429)
          return render([{ field: 'current_password', message: error.message }]);
        throw error;
      }
      // A stolen cookie must not outlive the password: every session of the account ends, and
      // this browser gets a new one (a new id, a new CSRF secret).
      await reply.startSession(user, { endOthers: true });
      return reply.redirect('/account?changed=1', 303);
    },
  );
}
