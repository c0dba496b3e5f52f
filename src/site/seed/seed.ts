import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import type { Db } from '../database/database.js';
import { transaction } from '../database/transaction.js';
import { EXCERPT_MAX } from '../lib/markdown.js';
import { excerpt, renderMarkdown } from '../lib/markdown-render.js';
import { slugify } from '../lib/slug.js';
import { hashPassword } from '../modules/users/users.service.js';
import { DEMO_USERS, demoArticles } from './content.js';
import { DEMO_PRODUCTS } from './products.js';

/**
 * Loads the demo content: a few accounts of each role, ~55 articles and ~30 products. Idempotent:
 * rows are matched by email or slug and only written when they differ from the demo data, and all
 * dates are fixed, so a second run changes nothing. Real content is never overwritten: an article
 * or account that exists under a demo slug/email but was not made by the seed is left alone.
 */

/** The operator's choice of a password for every demo account; without it they cannot log in. */
export const DEMO_PASSWORD_ENV = 'WEBSTACK_DEMO_PASSWORD';
const PRODUCTS_FROM = Date.UTC(2025, 9, 1, 8, 0, 0);
const DAY = 24 * 60 * 60 * 1000;

export async function seedDemo(db: Db, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const password = env[DEMO_PASSWORD_ENV] || undefined;
  const userIds = await seedUsers(db, password);
  await transaction(db, async (trx) => {
    await seedArticles(trx, userIds);
    await seedProducts(trx);
  });
}

async function seedUsers(db: Db, password: string | undefined): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const user of DEMO_USERS) {
    const existing = await db
      .selectFrom('users')
      .select(['id', 'password_hash'])
      .where('email', '=', user.email)
      .executeTakeFirst();
    if (existing) {
      ids.set(user.email, existing.id);
      if (password && !(await argon2.verify(existing.password_hash, password))) {
        await db
          .updateTable('users')
          .set({ password_hash: await hashPassword(password) })
          .where('id', '=', existing.id)
          .execute();
      }
      continue;
    }
    // Without a chosen password, the hash of a secret nobody keeps: a valid hash no password matches.
    const hash = await hashPassword(password ?? randomBytes(32).toString('hex'));
    const result = await db
      .insertInto('users')
      .values({ email: user.email, password_hash: hash, role: user.role, display_name: user.displayName })
      .executeTakeFirstOrThrow();
    ids.set(user.email, Number(result.insertId));
  }
  return ids;
}

async function seedArticles(db: Db, userIds: Map<string, number>): Promise<void> {
  for (const article of demoArticles((title) => slugify(title, 'article'))) {
    const authorId = userIds.get(article.authorEmail);
    if (authorId === undefined) continue;
    const row = {
      slug: article.slug,
      title: article.title,
      body_md: article.body,
      body_html: renderMarkdown(article.body),
      excerpt: excerpt(article.body, EXCERPT_MAX),
      author_id: authorId,
      status: article.status,
      published_at: article.status === 'published' ? article.publishedAt : null,
      created_at: article.publishedAt,
      updated_at: article.publishedAt,
    };
    const existing = await db
      .selectFrom('articles')
      .selectAll()
      .where('slug', '=', article.slug)
      .executeTakeFirst();
    if (!existing) {
      await db.insertInto('articles').values(row).execute();
      continue;
    }
    if (existing.author_id !== authorId) continue;
    const same =
      existing.title === row.title &&
      existing.body_md === row.body_md &&
      existing.body_html === row.body_html &&
      existing.excerpt === row.excerpt &&
      existing.status === row.status &&
      existing.published_at?.getTime() === row.published_at?.getTime();
    if (!same) {
      const { created_at: _created, ...changes } = row;
      await db.updateTable('articles').set(changes).where('id', '=', existing.id).execute();
    }
  }
}

async function seedProducts(db: Db): Promise<void> {
  for (const [i, product] of DEMO_PRODUCTS.entries()) {
    const at = new Date(PRODUCTS_FROM + i * DAY);
    const row = {
      slug: slugify(product.name, 'product'),
      name: product.name,
      description: product.description,
      price_cents: product.priceCents,
      currency: product.currency,
      stock: product.stock,
      created_at: at,
      updated_at: at,
    };
    const existing = await db
      .selectFrom('products')
      .selectAll()
      .where('slug', '=', row.slug)
      .executeTakeFirst();
    if (!existing) {
      await db.insertInto('products').values(row).execute();
      continue;
    }
    const same =
      existing.name === row.name &&
      existing.description === row.description &&
      existing.price_cents === row.price_cents &&
      existing.currency === row.currency &&
      existing.stock === row.stock;
    if (!same) {
      const { created_at: _created, ...changes } = row;
      await db.updateTable('products').set(changes).where('id', '=', existing.id).execute();
    }
  }
}
