import type { Db } from '../../database/database.js';
import type { CursorKey } from '../../lib/cursor.js';
import type { NewProductRow, ProductRow, ProductUpdate } from './products.table.js';

export async function findProductBySlug(db: Db, slug: string): Promise<ProductRow | undefined> {
  return await db.selectFrom('products').selectAll().where('slug', '=', slug).executeTakeFirst();
}

/** Inside a transaction: the row stays locked until it ends. */
export async function findProductBySlugForUpdate(db: Db, slug: string): Promise<ProductRow | undefined> {
  return await db.selectFrom('products').selectAll().where('slug', '=', slug).forUpdate().executeTakeFirst();
}

export async function findProductById(db: Db, id: number): Promise<ProductRow | undefined> {
  return await db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Newest first, by page (HTML lists). The page's ids come first, from the (created_at, id) index
 * alone: selecting every column with an OFFSET made MariaDB scan and sort the whole table.
 */
export async function listProducts(db: Db, offset: number, limit: number): Promise<ProductRow[]> {
  const ids = await db
    .selectFrom('products')
    .select('id')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('products')
    .selectAll()
    .where(
      'id',
      'in',
      ids.map((r) => r.id),
    )
    .execute();
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  return ids.flatMap((r) => byId.get(Number(r.id)) ?? []);
}

export async function countProducts(db: Db): Promise<number> {
  const row = await db
    .selectFrom('products')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Keyset page: (created_at, id) strictly below the cursor's, newest first. */
export async function listProductsAfter(
  db: Db,
  after: CursorKey | null,
  limit: number,
): Promise<ProductRow[]> {
  let query = db.selectFrom('products').selectAll();
  if (after) {
    const at = new Date(after.at);
    query = query.where((eb) =>
      eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', after.id)])]),
    );
  }
  return await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** The newest products in stock, for the home page. */
export async function listFeaturedProducts(db: Db, limit: number): Promise<ProductRow[]> {
  return await db
    .selectFrom('products')
    .selectAll()
    .where('stock', '>', 0)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export async function productSlugsLike(db: Db, base: string): Promise<string[]> {
  // base matches [a-z0-9-] only, so it holds no LIKE wildcards.
  const rows = await db
    .selectFrom('products')
    .select('slug')
    .where((eb) => eb.or([eb('slug', '=', base), eb('slug', 'like', `${base}-%`)]))
    .execute();
  return rows.map((r) => r.slug);
}

export async function insertProduct(db: Db, row: NewProductRow): Promise<number> {
  const result = await db.insertInto('products').values(row).executeTakeFirstOrThrow();
  return Number(result.insertId);
}

export async function updateProductById(db: Db, id: number, patch: ProductUpdate): Promise<void> {
  await db.updateTable('products').set(patch).where('id', '=', id).execute();
}

export async function deleteProductById(db: Db, id: number): Promise<boolean> {
  const result = await db.deleteFrom('products').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function listProductSlugs(db: Db, limit: number): Promise<{ slug: string; updated_at: Date }[]> {
  return await db
    .selectFrom('products')
    .select(['slug', 'updated_at'])
    .orderBy('id', 'asc')
    .limit(limit)
    .execute();
}
