/**
 * The bench's data set, generated deterministically (same seed, same rows) and shaped like the
 * site's tables (src/site/modules/*\/*.table.ts). Pure: no database here.
 */

import { EXCERPT_MAX } from '../src/site/lib/markdown.js';
import { excerpt } from '../src/site/lib/markdown-render.js';

const WORDS = (
  'stack server nginx node worker cluster maria database query index cache page article product ' +
  'latency request socket memory process signal deploy release health ready metric log zone record ' +
  'domain browser session cookie token form field price stock image upload asset static dynamic'
).split(' ');
const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF'] as const;
const EPOCH = Date.UTC(2025, 0, 1);

/** mulberry32: a tiny seeded PRNG, enough for varied but repeatable text. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function words(random: () => number, count: number): string {
  return Array.from({ length: count }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
}

export const articleSlug = (n: number) => `bench-article-${String(n).padStart(6, '0')}`;
export const productSlug = (n: number) => `bench-product-${String(n).padStart(5, '0')}`;

export interface ArticleSeed {
  slug: string;
  title: string;
  body_md: string;
  body_html: string;
  excerpt: string;
  author_id: number;
  status: 'published';
  created_at: Date;
  updated_at: Date;
  published_at: Date;
}

/** Article n (1-based): about 1.5 KB of Markdown in six paragraphs, and the HTML it renders to. */
export function benchArticle(n: number, authorId: number): ArticleSeed {
  const random = prng(n);
  const paragraphs = Array.from({ length: 6 }, () => `${words(random, 35)}.`);
  const at = new Date(EPOCH + n * 60_000);
  return {
    slug: articleSlug(n),
    title: `Bench article ${n}: ${words(random, 4)}`,
    body_md: paragraphs.join('\n\n'),
    // The words are plain letters, so Markdown renders each paragraph to exactly this.
    body_html: paragraphs.map((p) => `<p>${p}</p>`).join('\n'),
    // As the site stores it at write time (articles.excerpt).
    excerpt: excerpt(paragraphs.join('\n\n'), EXCERPT_MAX),
    author_id: authorId,
    status: 'published',
    created_at: at,
    updated_at: at,
    published_at: at,
  };
}

export interface ProductSeed {
  slug: string;
  name: string;
  description: string;
  price_cents: number;
  currency: string;
  stock: number;
  image_path: null;
  created_at: Date;
  updated_at: Date;
}

export function benchProduct(n: number): ProductSeed {
  const random = prng(1_000_000 + n);
  const at = new Date(EPOCH + n * 60_000);
  return {
    slug: productSlug(n),
    name: `Bench product ${n} ${words(random, 2)}`,
    description: `${words(random, 40)}.`,
    price_cents: 100 + Math.floor(random() * 99_900),
    currency: CURRENCIES[n % CURRENCIES.length] ?? 'EUR',
    stock: Math.floor(random() * 500),
    image_path: null,
    created_at: at,
    updated_at: at,
  };
}

/**
 * One multi-row INSERT for a batch of rows with the same keys, with `?` placeholders, and its
 * values. An existing slug is left as it is, so loading twice changes nothing. Pure.
 */
export function multiRowInsert(
  table: 'articles' | 'products',
  rows: readonly object[],
): { sql: string; values: unknown[] } {
  const first = rows[0];
  if (!first) throw new Error('multiRowInsert needs at least one row');
  const columns = Object.keys(first);
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const sql =
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}` +
    ' ON DUPLICATE KEY UPDATE id = id';
  const values = rows.flatMap((row) => columns.map((c) => (row as Record<string, unknown>)[c]));
  return { sql, values };
}
