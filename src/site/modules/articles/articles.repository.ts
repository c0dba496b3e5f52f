import type { Db } from '../../database/database.js';
import type { CursorKey } from '../../lib/cursor.js';
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

export async function findArticleBySlug(db: Db, slug: string): Promise<ArticleWithAuthor | undefined> {
  return await withAuthor(db).where('articles.slug', '=', slug).executeTakeFirst();
}

export async function findArticleById(db: Db, id: number): Promise<ArticleWithAuthor | undefined> {
  return await withAuthor(db).where('articles.id', '=', id).executeTakeFirst();
}

/** Published articles, newest first, by page (HTML lists). */
export async function listPublishedArticles(
  db: Db,
  offset: number,
  limit: number,
): Promise<ArticleWithAuthor[]> {
  return await withAuthor(db)
    .where('articles.status', '=', 'published')
    .orderBy('articles.published_at', 'desc')
    .orderBy('articles.id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
}

export async function countPublishedArticles(db: Db): Promise<number> {
  const row = await db
    .selectFrom('articles')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'published')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Published articles after a keyset cursor: (published_at, id) strictly below the cursor's. */
export async function listPublishedAfter(
  db: Db,
  after: CursorKey | null,
  limit: number,
): Promise<ArticleWithAuthor[]> {
  let query = withAuthor(db).where('articles.status', '=', 'published');
  if (after) {
    const at = new Date(after.at);
    query = query.where((eb) =>
      eb.or([
        eb('articles.published_at', '<', at),
        eb.and([eb('articles.published_at', '=', at), eb('articles.id', '<', after.id)]),
      ]),
    );
  }
  return await query
    .orderBy('articles.published_at', 'desc')
    .orderBy('articles.id', 'desc')
    .limit(limit)
    .execute();
}

/** Drafts a viewer may see on the list page: their own, or everyone's for admins (authorId null). */
export async function listDrafts(
  db: Db,
  authorId: number | null,
  limit: number,
): Promise<ArticleWithAuthor[]> {
  let query = withAuthor(db).where('articles.status', '=', 'draft');
  if (authorId !== null) query = query.where('articles.author_id', '=', authorId);
  return await query
    .orderBy('articles.updated_at', 'desc')
    .orderBy('articles.id', 'desc')
    .limit(limit)
    .execute();
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
