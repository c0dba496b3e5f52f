import type { FastifyReply } from 'fastify';
import type { Problem } from '../errors.js';
import type { PageContext } from '../views/context.js';
import { ErrorPage } from '../views/error-page.js';
import { globalPlugin } from './global.js';

declare module 'fastify' {
  interface FastifyReply {
    /** Sends rendered TSX (or a string of HTML) as text/html; charset=utf-8. */
    html(page: JSX.Element): Promise<FastifyReply>;
    /** What the layout needs: the user, a CSRF token for the logout form, the current path. */
    pageContext(): PageContext;
    errorPage(problem: Problem): Promise<FastifyReply>;
  }
}

export const viewsPlugin = globalPlugin('views', async (app) => {
  app.decorateReply('html', async function html(this: FastifyReply, page: JSX.Element) {
    return this.type('text/html; charset=utf-8').send(await page);
  });

  app.decorateReply('pageContext', function pageContext(this: FastifyReply): PageContext {
    const { user, url } = this.request;
    return {
      user: user ? { id: user.id, displayName: user.displayName, role: user.role } : null,
      // Visitors only see forms that ask for their own token; the layout's form is for users.
      csrfToken: user ? this.csrfToken() : '',
      path: url.split('?')[0] ?? '/',
    };
  });

  app.decorateReply('errorPage', async function errorPage(this: FastifyReply, problem: Problem) {
    const page = ErrorPage({
      status: problem.status,
      title: problem.title,
      detail: problem.detail,
      requestId: this.request.id,
      context: this.pageContext(),
    });
    return this.html(page);
  });
});
