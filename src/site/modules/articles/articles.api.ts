import type { App } from '../../app.js';
import { addEtags } from '../../lib/etag.js';
import { slugParam } from '../../lib/http.js';
import { API_DEFAULT_LIMIT } from '../../lib/pagination.js';
import { ListQuery, SlugParams } from '../../lib/schemas.js';
import { actorOf, requireRole } from '../../plugins/session.js';
import { ArticleCreate, ArticleJson, ArticleList, ArticlePatch } from './articles.schemas.js';
import {
  type ArticleWithAuthor,
  createArticle,
  deleteArticle,
  getArticle,
  getEditableArticle,
  listArticlesAfter,
  updateArticle,
} from './articles.service.js';

export function toArticleJson(article: ArticleWithAuthor): ArticleJson {
  return {
    id: article.id,
    slug: article.slug,
    url: `/articles/${article.slug}`,
    title: article.title,
    status: article.status,
    bodyMarkdown: article.body_md,
    bodyHtml: article.body_html,
    author: { id: article.author_id, displayName: article.author_name },
    createdAt: article.created_at.toISOString(),
    updatedAt: article.updated_at.toISOString(),
    publishedAt: article.published_at ? article.published_at.toISOString() : null,
  };
}

/**
 * JSON API for articles (mounted under /api/v1). Reads are public and carry ETags; writes need an
 * editor or admin, and a cookie session must send x-csrf-token (the csrf plugin checks it).
 */
export async function articlesApiRoutes(app: App): Promise<void> {
  addEtags(app);
  const writers = { preHandler: requireRole('editor', 'admin') };

  app.get(
    '/articles',
    { schema: { querystring: ListQuery, response: { 200: ArticleList } } },
    async (request) => {
      const slice = await listArticlesAfter(
        app.db,
        request.query.cursor,
        request.query.limit ?? API_DEFAULT_LIMIT,
      );
      return { items: slice.items.map(toArticleJson), nextCursor: slice.nextCursor };
    },
  );

  app.get(
    '/articles/:slug',
    { schema: { params: SlugParams, response: { 200: ArticleJson } } },
    async (request) =>
      toArticleJson(await getArticle(app.db, actorOf(request), slugParam(request.params.slug))),
  );

  app.post(
    '/articles',
    { ...writers, schema: { body: ArticleCreate, response: { 201: ArticleJson } } },
    async (request, reply) => {
      const { title, body, status = 'draft' } = request.body;
      const article = await createArticle(app.db, actorOf(request), { title, body, status });
      return reply
        .code(201)
        .header('location', `/api/v1/articles/${article.slug}`)
        .send(toArticleJson(article));
    },
  );

  app.patch(
    '/articles/:slug',
    { ...writers, schema: { params: SlugParams, body: ArticlePatch, response: { 200: ArticleJson } } },
    async (request) => {
      const actor = actorOf(request);
      const slug = slugParam(request.params.slug);
      const current = await getEditableArticle(app.db, actor, slug);
      const input = {
        title: request.body.title ?? current.title,
        body: request.body.body ?? current.body_md,
        status: request.body.status ?? current.status,
      };
      return toArticleJson(await updateArticle(app.db, actor, slug, input));
    },
  );

  app.delete('/articles/:slug', { ...writers, schema: { params: SlugParams } }, async (request, reply) => {
    await deleteArticle(app.db, actorOf(request), slugParam(request.params.slug));
    return reply.code(204).send();
  });
}
