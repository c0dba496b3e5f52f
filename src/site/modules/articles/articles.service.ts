import type { Db } from '../../database/database.js';
import { errors, type FieldError } from '../../errors.js';
import { encodeCursor } from '../../lib/cursor.js';
import { cursorParam } from '../../lib/http.js';
import { EXCERPT_MAX, loadMarkdown, shorten } from '../../lib/markdown.js';
import { pageCount, pageWindow } from '../../lib/pagination.js';
import { insertWithUniqueSlug, isDuplicateSlugError, nextFreeSlug, slugify } from '../../lib/slug.js';
import type { Actor } from '../users/users.service.js';
import {
  type ArticleSummary,
  type ArticleWithAuthor,
  articleSlugsLike,
  countPublishedArticles,
  deleteArticleById,
  findArticleById,
  findArticleBySlug,
  insertArticle,
  listDrafts,
  listPublishedAfter,
  listPublishedArticles,
  listPublishedFull,
  listPublishedSlugs,
  updateArticleById,
} from './articles.repository.js';
import type { ArticleStatus, ArticleUpdate } from './articles.table.js';

export type { ArticleSummary, ArticleWithAuthor };
export { listPublishedFull, listPublishedSlugs };

/**
 * The article's plain-text summary, cut to `maxLength`: stored at write time (the repository fills
 * it in for an old row stored without one).
 */
export function articleExcerpt(article: Pick<ArticleWithAuthor, 'excerpt'>, maxLength = EXCERPT_MAX): string {
  return shorten(article.excerpt ?? '', maxLength);
}

export interface ArticleInput {
  title: string;
  body: string;
  status: ArticleStatus;
}

export const TITLE_MAX = 200;
export const BODY_MAX = 100_000;

// Permissions, in one place: editors write and manage their own, admins manage all, members read.
export function canCreateArticle(actor: Actor | null): boolean {
  return actor?.role === 'admin' || actor?.role === 'editor';
}

export function canEditArticle(actor: Actor | null, article: Pick<ArticleWithAuthor, 'author_id'>): boolean {
  return actor?.role === 'admin' || (actor?.role === 'editor' && actor.id === article.author_id);
}

/** Drafts exist only for their author and admins; everyone else gets a 404, not a 403. */
export function canViewArticle(
  actor: Actor | null,
  article: Pick<ArticleWithAuthor, 'author_id' | 'status'>,
): boolean {
  return article.status === 'published' || actor?.role === 'admin' || actor?.id === article.author_id;
}

/** Trims and checks an article the way both the form and the API need it; field errors name the field. */
export function validateArticle(input: ArticleInput): FieldError[] {
  const found: FieldError[] = [];
  const title = input.title.trim();
  if (title === '') found.push({ field: 'title', message: 'Title is required.' });
  else if (title.length > TITLE_MAX)
    found.push({ field: 'title', message: `Title must be at most ${TITLE_MAX} characters.` });
  if (input.body.trim() === '') found.push({ field: 'body', message: 'Body is required.' });
  else if (input.body.length > BODY_MAX)
    found.push({ field: 'body', message: `Body must be at most ${BODY_MAX} characters.` });
  if (input.status !== 'draft' && input.status !== 'published') {
    found.push({ field: 'status', message: 'Status must be draft or published.' });
  }
  return found;
}

/** "new" would be shadowed by the /articles/new route. */
function baseSlug(title: string): string {
  const base = slugify(title, 'article');
  return base === 'new' ? 'new-article' : base;
}

function checkInput(input: ArticleInput): void {
  const found = validateArticle(input);
  if (found.length > 0) throw errors.validation(undefined, found);
}

/** The article at `slug` if this actor may see it; 404 otherwise. */
export async function getArticle(db: Db, actor: Actor | null, slug: string): Promise<ArticleWithAuthor> {
  const article = await findArticleBySlug(db, slug);
  if (!article || !canViewArticle(actor, article)) throw errors.notFound();
  return article;
}

/** The article at `slug` if this actor may change it: 404 when they may not see it, 403 when they may not edit. */
export async function getEditableArticle(
  db: Db,
  actor: Actor | null,
  slug: string,
): Promise<ArticleWithAuthor> {
  const article = await getArticle(db, actor, slug);
  if (!canEditArticle(actor, article)) throw errors.forbidden();
  return article;
}

export async function createArticle(
  db: Db,
  actor: Actor | null,
  input: ArticleInput,
  now = new Date(),
): Promise<ArticleWithAuthor> {
  if (!actor) throw errors.unauthorized();
  if (!canCreateArticle(actor)) throw errors.forbidden();
  checkInput(input);
  const title = input.title.trim();
  const base = baseSlug(title);
  const { renderMarkdown, excerpt } = await loadMarkdown();
  const { value: id } = await insertWithUniqueSlug({
    base,
    taken: () => articleSlugsLike(db, base),
    insert: (slug) =>
      insertArticle(db, {
        slug,
        title,
        body_md: input.body,
        body_html: renderMarkdown(input.body),
        excerpt: excerpt(input.body, EXCERPT_MAX),
        author_id: actor.id,
        status: input.status,
        created_at: now,
        updated_at: now,
        published_at: input.status === 'published' ? now : null,
      }),
  });
  const created = await findArticleById(db, id);
  if (!created) throw errors.notFound();
  return created;
}

/**
 * Updates title, body and status. The slug follows the title only while the article has never
 * been published: once public, its address is stable.
 */
export async function updateArticle(
  db: Db,
  actor: Actor | null,
  slug: string,
  input: ArticleInput,
  now = new Date(),
): Promise<ArticleWithAuthor> {
  const article = await getEditableArticle(db, actor, slug);
  checkInput(input);
  const title = input.title.trim();
  const { renderMarkdown, excerpt } = await loadMarkdown();
  const patch: ArticleUpdate = {
    title,
    body_md: input.body,
    body_html: renderMarkdown(input.body),
    excerpt: excerpt(input.body, EXCERPT_MAX),
    status: input.status,
    updated_at: now,
    published_at: article.published_at ?? (input.status === 'published' ? now : null),
  };
  const base = slugify(title, 'article');
  const renameable =
    article.published_at === null && base !== article.slug && !article.slug.startsWith(`${base}-`);
  if (!renameable) {
    await updateArticleById(db, article.id, patch);
    return { ...article, ...patch, slug: article.slug } as ArticleWithAuthor;
  }
  const taken = new Set(await articleSlugsLike(db, base));
  for (let attempt = 0; attempt < 25; attempt++) {
    const next = nextFreeSlug(base, taken);
    try {
      await updateArticleById(db, article.id, { ...patch, slug: next });
      return { ...article, ...patch, slug: next } as ArticleWithAuthor;
    } catch (error) {
      if (!isDuplicateSlugError(error)) throw error;
      taken.add(next);
    }
  }
  throw errors.conflict('Could not find a free address for this title; try another title.');
}

export async function deleteArticle(db: Db, actor: Actor | null, slug: string): Promise<void> {
  const article = await getEditableArticle(db, actor, slug);
  await deleteArticleById(db, article.id);
}

export interface ArticlePage {
  items: ArticleSummary[];
  page: number;
  pageCount: number;
  total: number;
}

/** The newest published articles, for the home page (no count: it shows no pager). */
export async function latestArticles(db: Db, limit: number): Promise<ArticleSummary[]> {
  return await listPublishedArticles(db, 0, limit);
}

export async function listArticlesPage(db: Db, page: number, pageSize: number): Promise<ArticlePage> {
  const window = pageWindow(page, pageSize);
  const [items, total] = await Promise.all([
    listPublishedArticles(db, window.offset, window.pageSize),
    countPublishedArticles(db),
  ]);
  return { items, page, total, pageCount: pageCount(total, pageSize) };
}

/** Drafts shown above the list: an editor's own, all of them for an admin, none for anyone else. */
export async function listVisibleDrafts(db: Db, actor: Actor | null, limit = 20): Promise<ArticleSummary[]> {
  if (actor?.role === 'admin') return await listDrafts(db, null, limit);
  if (actor?.role === 'editor') return await listDrafts(db, actor.id, limit);
  return [];
}

export interface ArticleSlice {
  items: ArticleWithAuthor[];
  nextCursor: string | null;
}

/** One page of the API's list; `cursor` is validated (CursorError → 400 by the caller). */
export async function listArticlesAfter(
  db: Db,
  cursor: string | undefined,
  limit: number,
): Promise<ArticleSlice> {
  const after = cursorParam(cursor);
  const rows = await listPublishedAfter(db, after, limit + 1);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const nextCursor =
    rows.length > limit && last?.published_at
      ? encodeCursor({ at: last.published_at.getTime(), id: last.id })
      : null;
  return { items, nextCursor };
}
