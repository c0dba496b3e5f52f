import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

export const ARTICLE_STATUSES = ['draft', 'published'] as const;
export type ArticleStatus = (typeof ARTICLE_STATUSES)[number];

export interface ArticlesTable {
  id: Generated<number>;
  slug: string;
  title: string;
  body_md: string;
  body_html: string;
  /** Plain text, at most EXCERPT_MAX characters, stored at write time; null on rows written without it. */
  excerpt: string | null;
  author_id: number;
  status: ArticleStatus;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  published_at: Date | null;
}

export type ArticleRow = Selectable<ArticlesTable>;
export type NewArticleRow = Insertable<ArticlesTable>;
export type ArticleUpdate = Updateable<ArticlesTable>;
