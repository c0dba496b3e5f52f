import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import { type FieldError, fieldErrors, SiteError } from '../../errors.js';
import { pageParam, slugParam } from '../../lib/http.js';
import { PAGE_SIZE } from '../../lib/pagination.js';
import { PageQuery, SlugParams } from '../../lib/schemas.js';
import { actorOf, requireRole } from '../../plugins/session.js';
import { ArticleForm } from './articles.schemas.js';
import {
  type ArticleInput,
  canCreateArticle,
  canEditArticle,
  createArticle,
  deleteArticle,
  getArticle,
  getEditableArticle,
  listArticlesPage,
  listVisibleDrafts,
  updateArticle,
} from './articles.service.js';
import { ArticleFormPage, type ArticleFormValues, ArticleListPage, ArticleView } from './articles.views.js';

function formInput(body: ArticleForm | undefined): ArticleInput {
  return {
    title: body?.title ?? '',
    body: body?.body ?? '',
    status: body?.status === 'published' ? 'published' : 'draft',
  };
}

/** Runs a write; a validation failure re-renders the form (400) with the values the person typed. */
async function submitForm(
  request: FastifyRequest,
  reply: FastifyReply,
  slug: string | undefined,
  write: (input: ArticleInput) => Promise<{ slug: string }>,
): Promise<FastifyReply> {
  const body = request.body as ArticleForm | undefined;
  const values: ArticleFormValues = {
    title: typeof body?.title === 'string' ? body.title : undefined,
    body: typeof body?.body === 'string' ? body.body : undefined,
    status: typeof body?.status === 'string' ? body.status : undefined,
  };
  const render = (errors: FieldError[]) =>
    reply
      .code(400)
      .html(
        ArticleFormPage({ context: reply.pageContext(), csrfToken: reply.csrfToken(), slug, values, errors }),
      );
  const invalid = request.validationError?.validation;
  if (invalid) return render(fieldErrors(invalid));
  try {
    const article = await write(formInput(body));
    return reply.redirect(`/articles/${article.slug}`, 303);
  } catch (error) {
    if (error instanceof SiteError && error.code === 'VALIDATION_FAILED' && error.errors)
      return render(error.errors);
    throw error;
  }
}

/** HTML pages for articles: list, detail, and the editor's create/edit/delete forms. */
export async function articlesRoutes(app: App): Promise<void> {
  const writers = { preHandler: requireRole('editor', 'admin') };

  app.get('/articles', { schema: { querystring: PageQuery } }, async (request, reply) => {
    const page = pageParam(request.query.page);
    const actor = actorOf(request);
    const [list, drafts] = await Promise.all([
      listArticlesPage(app.db, page, PAGE_SIZE),
      page === 1 ? listVisibleDrafts(app.db, actor) : Promise.resolve([]),
    ]);
    return reply.html(
      ArticleListPage({ context: reply.pageContext(), list, drafts, canCreate: canCreateArticle(actor) }),
    );
  });

  app.get('/articles/new', writers, async (_request, reply) =>
    reply.html(ArticleFormPage({ context: reply.pageContext(), csrfToken: reply.csrfToken(), values: {} })),
  );

  app.post(
    '/articles',
    { ...writers, schema: { body: ArticleForm }, attachValidation: true },
    async (request, reply) =>
      submitForm(request, reply, undefined, (input) => createArticle(app.db, actorOf(request), input)),
  );

  app.get('/articles/:slug', { schema: { params: SlugParams } }, async (request, reply) => {
    const actor = actorOf(request);
    const article = await getArticle(app.db, actor, slugParam(request.params.slug));
    const canEdit = canEditArticle(actor, article);
    return reply.html(
      ArticleView({
        context: reply.pageContext(),
        article,
        canEdit,
        csrfToken: canEdit ? reply.csrfToken() : '',
      }),
    );
  });

  app.get('/articles/:slug/edit', { ...writers, schema: { params: SlugParams } }, async (request, reply) => {
    const article = await getEditableArticle(app.db, actorOf(request), slugParam(request.params.slug));
    const values = { title: article.title, body: article.body_md, status: article.status };
    return reply.html(
      ArticleFormPage({
        context: reply.pageContext(),
        csrfToken: reply.csrfToken(),
        slug: article.slug,
        values,
      }),
    );
  });

  app.post(
    '/articles/:slug/edit',
    { ...writers, schema: { params: SlugParams, body: ArticleForm }, attachValidation: true },
    async (request, reply) => {
      const slug = slugParam(request.params.slug);
      // Permission first, so a refused editor learns nothing from validation messages.
      await getEditableArticle(app.db, actorOf(request), slug);
      return submitForm(request, reply, slug, (input) =>
        updateArticle(app.db, actorOf(request), slug, input),
      );
    },
  );

  app.post(
    '/articles/:slug/delete',
    { ...writers, schema: { params: SlugParams } },
    async (request, reply) => {
      await deleteArticle(app.db, actorOf(request), slugParam(request.params.slug));
      return reply.redirect('/articles', 303);
    },
  );
}
