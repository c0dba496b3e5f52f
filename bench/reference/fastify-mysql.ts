/**
 * Reference: what a minimal Node service reaches: Fastify and a mysql2 pool reading the same
 * article row (with its author's name) that the site's article page reads, rendered to HTML.
 */
import Fastify from 'fastify';
import { createPool, type RowDataPacket } from 'mysql2/promise';
import { runClustered } from './cluster.js';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

runClustered(() => {
  const db = JSON.parse(String(process.env.REF_DB)) as Record<string, unknown>;
  const pool = createPool({ ...db, password: process.env.REF_DB_PASSWORD, timezone: 'Z' });
  const app = Fastify({ logger: false, keepAliveTimeout: 72_000 });
  app.get<{ Params: { slug: string } }>('/fastify/articles/:slug', async (request, reply) => {
    const [rows] = await pool.execute<RowDataPacket[]>(
      'SELECT a.title, a.body_html, a.published_at, u.display_name FROM articles a' +
        " JOIN users u ON u.id = a.author_id WHERE a.slug = ? AND a.status = 'published'",
      [request.params.slug],
    );
    const row = rows[0];
    if (!row) return reply.code(404).type('text/plain').send('not found');
    const title = escapeHtml(String(row.title));
    return reply
      .type('text/html; charset=utf-8')
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
          `<body><main><article><h1>${title}</h1><p>${escapeHtml(String(row.display_name))} · ` +
          `${new Date(row.published_at as Date).toISOString()}</p>${row.body_html}</article></main></body></html>`,
      );
  });
  void app.listen({ port: Number(process.env.REF_PORT), host: '127.0.0.1' });
});
