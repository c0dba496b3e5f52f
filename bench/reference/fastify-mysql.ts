/**
 * Reference: what a minimal Node service reaches: Fastify and a mysql2 pool running the site's own
 * article query (the same SQL text, a prepared statement) and rendering the row with the site's
 * own article page (src/site views: same layout, same bytes). The gap to the site's article page is then what the
 * site's framework set-up, plugins, hooks and query builder cost, not a different page.
 */
import Fastify from 'fastify';
import { createPool, type RowDataPacket } from 'mysql2/promise';
import {
  ARTICLE_BY_SLUG,
  type ArticleWithAuthor,
} from '../../src/site/modules/articles/articles.repository.js';
import { ArticleView } from '../../src/site/modules/articles/articles.views.js';
import { loadAssetManifest } from '../../src/site/views/assets.js';
import { runClustered } from './cluster.js';

runClustered(() => {
  loadAssetManifest(process.env.REF_ASSETS_DIR);
  const db = JSON.parse(String(process.env.REF_DB)) as Record<string, unknown>;
  const pool = createPool({ ...db, password: process.env.REF_DB_PASSWORD, timezone: 'Z' });
  const app = Fastify({ logger: false, keepAliveTimeout: 72_000 });
  app.get<{ Params: { slug: string } }>('/fastify/articles/:slug', async (request, reply) => {
    const [rows] = await pool.execute<RowDataPacket[]>(ARTICLE_BY_SLUG.sql, [request.params.slug]);
    const article = rows[0] as ArticleWithAuthor | undefined;
    if (article?.status !== 'published') return reply.code(404).type('text/plain').send('not found');
    const context = { user: null, csrfToken: '', path: `/articles/${article.slug}` };
    const page = await ArticleView({ context, article, canEdit: false, csrfToken: '' });
    return reply.type('text/html; charset=utf-8').send(page);
  });
  void app.listen({ port: Number(process.env.REF_PORT), host: '127.0.0.1' });
});
