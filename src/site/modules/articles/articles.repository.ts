import { sql } from 'kysely';
import { compiler, type Db, prepared, withParameters } from '../../database/database.js';
import type { CursorKey } from '../../lib/cursor.js';
import { EXCERPT_MAX, loadMarkdown } from '../../lib/markdown.js';
import type { ArticleRow, ArticleUpdate, NewArticleRow } from './articles.table.js';

/** An article with its author's display name, as pages and the API show it. */
export interface ArticleWithAuthor extends ArticleRow {
  author_name: string;
}

function withAuthor(db: Db) {
  return db
    .selectFrom('articles')
    .innerJoin('users', 'users.id', 'articles.author_id')
    .selectAll('articles')
    .select('users.display_name as author_name');
}

/** The article page's and the API's one query, compiled once and prepared: `slug` is its only parameter. */
export const ARTICLE_BY_SLUG = prepared(withAuthor(compiler).where('articles.slug', '=', '').compile());

/**
 * Every article read here has its excerpt: a row stored without one (by older code) gets it
 * computed, which loads the Markdown renderer then and only then.
 */
async function withExcerpts<R extends { excerpt: string | null; body_md: string }>(rows: R[]): Promise<R[]> {
  if (rows.every((row) => row.excerpt !== null)) return rows;
  const { excerpt } = await loadMarkdown();
  return rows.map((row) =>
    row.excerpt === null ? { ...row, excerpt: excerpt(row.body_md, EXCERPT_MAX) } : row,
  );
}

export async function findArticleBySlug(db: Db, slug: string): Promise<ArticleWithAuthor | undefined> {
  const { rows } = await db.executeQuery(withParameters(ARTICLE_BY_SLUG, [slug]));
  return (await withExcerpts(rows))[0];
}

export async function findArticleById(db: Db, id: number): Promise<ArticleWithAuthor | undefined> {
  return (await withExcerpts(await withAuthor(db).where('articles.id', '=', id).execute()))[0];
}

/**
 * What a list shows of an article: never its bodies. `excerpt` is always set (computed from
 * body_md for a row written without one).
 */
export interface ArticleSummary extends Omit<ArticleWithAuthor, 'body_md' | 'body_html' | 'excerpt'> {
  excerpt: string;
}

/*
 * Lists run in two steps. First the ids of one page, from `articles` alone, so that MariaDB walks
 * the (status, published_at, id) index and stops at LIMIT; joined to users in the same query it
 * sorted every published row, bodies included, in a temporary table. Then the page's rows by
 * primary key, joined to their authors.
 */

/** Published article ids, newest first, by page (HTML lists). */
async function publishedIdsPage(db: Db, offset: number, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom('articles')
    .select('id')
    .where('status', '=', 'published')
    .orderBy('published_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map((r) => Number(r.id));
}

/** Published article ids after a keyset cursor: (published_at, id) strictly below the cursor's. */
async function publishedIdsAfter(db: Db, after: CursorKey | null, limit: number): Promise<number[]> {
  let query = db.selectFrom('articles').select('id').where('status', '=', 'published');
  if (after) {
    const at = new Date(after.at);
    query = query.where((eb) =>
      eb.or([eb('published_at', '<', at), eb.and([eb('published_at', '=', at), eb('id', '<', after.id)])]),
    );
  }
  const rows = await query.orderBy('published_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => Number(r.id));
}

function inIdOrder<T extends { id: number }>(ids: readonly number[], rows: T[]): T[] {
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** Full rows (bodies included) for these ids, in the ids' order. */
export async function findArticlesByIds(db: Db, ids: readonly number[]): Promise<ArticleWithAuthor[]> {
  if (ids.length === 0) return [];
  return inIdOrder(ids, await withExcerpts(await withAuthor(db).where('articles.id', 'in', ids).execute()));
}

/** List rows (no bodies) for these ids, in the ids' order. */
export async function findSummariesByIds(db: Db, ids: readonly number[]): Promise<ArticleSummary[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('articles')
    .innerJoin('users', 'users.id', 'articles.author_id')
    .select([
      'articles.id',
      'articles.slug',
      'articles.title',
      'articles.author_id',
      'articles.status',
      'articles.created_at',
      'articles.updated_at',
      'articles.published_at',
      'articles.excerpt',
      'users.display_name as author_name',
    ])
    // The body is read only for a row stored without an excerpt (inserted by older code).
    .select(
      sql<string | null>`case when articles.excerpt is null then articles.body_md end`.as('fallback_md'),
    )
    .where('articles.id', 'in', ids)
    .execute();
  const { excerpt } = rows.some((row) => row.excerpt === null) ? await loadMarkdown() : { excerpt: () => '' };
  const summaries = rows.map(({ fallback_md, ...row }) => ({
    ...row,
    excerpt: row.excerpt ?? excerpt(fallback_md ?? '', EXCERPT_MAX),
  }));
  return inIdOrder(ids, summaries);
}

/** Published articles, newest first, by page (HTML lists). */
export async function listPublishedArticles(
  db: Db,
  offset: number,
  limit: number,
): Promise<ArticleSummary[]> {
  return await findSummariesByIds(db, await publishedIdsPage(db, offset, limit));
}

/** Published articles with their bodies, newest first (the feed). */
export async function listPublishedFull(db: Db, limit: number): Promise<ArticleWithAuthor[]> {
  return await findArticlesByIds(db, await publishedIdsPage(db, 0, limit));
}

export async function countPublishedArticles(db: Db): Promise<number> {
  const row = await db
    .selectFrom('articles')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'published')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Published articles (with bodies: the API returns them) after a keyset cursor. */
export async function listPublishedAfter(
  db: Db,
  after: CursorKey | null,
  limit: number,
): Promise<ArticleWithAuthor[]> {
  return await findArticlesByIds(db, await publishedIdsAfter(db, after, limit));
}

/** Drafts a viewer may see on the list page: their own, or everyone's for admins (authorId null). */
export async function listDrafts(db: Db, authorId: number | null, limit: number): Promise<ArticleSummary[]> {
  let query = db.selectFrom('articles').select('id').where('status', '=', 'draft');
  if (authorId !== null) query = query.where('author_id', '=', authorId);
  const rows = await query.orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return await findSummariesByIds(
    db,
    rows.map((r) => Number(r.id)),
  );
}

/** Slugs equal to `base` or of the form `base-N`: the hint for picking the next free one. */
export async function articleSlugsLike(db: Db, base: string): Promise<string[]> {
  // base matches [a-z0-9-] only, so it holds no LIKE wildcards.
  const rows = await db
    .selectFrom('articles')
    .select('slug')
    .where((eb) => eb.or([eb('slug', '=', base), eb('slug', 'like', `${base}-%`)]))
    .execute();
  return rows.map((r) => r.slug);
}

export async function insertArticle(db: Db, row: NewArticleRow): Promise<number> {
  const result = await db.insertInto('articles').values(row).executeTakeFirstOrThrow();
  return Number(result.insertId);
}

export async function updateArticleById(db: Db, id: number, patch: ArticleUpdate): Promise<void> {
  await db.updateTable('articles').set(patch).where('id', '=', id).execute();
}

export async function deleteArticleById(db: Db, id: number): Promise<boolean> {
  const result = await db.deleteFrom('articles').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Everything the sitemap lists: slug and last change of each published article. */
export async function listPublishedSlugs(
  db: Db,
  limit: number,
): Promise<{ slug: string; updated_at: Date }[]> {
  return await db
    .selectFrom('articles')
    .select(['slug', 'updated_at'])
    .where('status', '=', 'published')
    .orderBy('published_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
