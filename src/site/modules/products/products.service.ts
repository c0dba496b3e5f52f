import type { Db } from '../../database/database.js';
import { transaction } from '../../database/transaction.js';
import { errors, type FieldError } from '../../errors.js';
import { encodeCursor } from '../../lib/cursor.js';
import { cursorParam } from '../../lib/http.js';
import { pageCount, pageWindow } from '../../lib/pagination.js';
import { insertWithUniqueSlug, slugify } from '../../lib/slug.js';
import { type NewUploadRow, removeUpload, storeUpload } from '../uploads/uploads.service.js';
import type { Actor } from '../users/users.service.js';
import {
  countProducts,
  deleteProductById,
  findProductById,
  findProductBySlug,
  findProductBySlugForUpdate,
  insertProduct,
  listFeaturedProducts,
  listProductSlugs,
  listProducts,
  listProductsAfter,
  productSlugsLike,
  updateProductById,
} from './products.repository.js';
import { CURRENCIES, type Currency, type ProductRow } from './products.table.js';

export type { ProductRow };
export { listProductSlugs };

export interface ProductInput {
  name: string;
  description: string;
  priceCents: number;
  currency: string;
  stock: number;
}

export const NAME_MAX = 200;
export const DESCRIPTION_MAX = 5000;
/** One million in the currency's main unit: far above anything we sell, far below INT UNSIGNED. */
export const PRICE_MAX_CENTS = 100_000_000;
export const STOCK_MAX = 1_000_000_000;

/** Only admins manage the catalogue. */
export function canManageProducts(actor: Actor | null): boolean {
  return actor?.role === 'admin';
}

function requireAdmin(actor: Actor | null): void {
  if (!actor) throw errors.unauthorized();
  if (!canManageProducts(actor)) throw errors.forbidden();
}

export function isCurrency(value: string): value is Currency {
  return (CURRENCIES as readonly string[]).includes(value);
}

export function validateProduct(input: ProductInput): FieldError[] {
  const found: FieldError[] = [];
  const name = input.name.trim();
  if (name === '') found.push({ field: 'name', message: 'Name is required.' });
  else if (name.length > NAME_MAX)
    found.push({ field: 'name', message: `Name must be at most ${NAME_MAX} characters.` });
  if (input.description.length > DESCRIPTION_MAX) {
    found.push({
      field: 'description',
      message: `Description must be at most ${DESCRIPTION_MAX} characters.`,
    });
  }
  if (!Number.isSafeInteger(input.priceCents) || input.priceCents < 0 || input.priceCents > PRICE_MAX_CENTS) {
    found.push({ field: 'price', message: 'Price must be an amount like 19.99, up to 1,000,000.' });
  }
  if (!isCurrency(input.currency)) {
    found.push({ field: 'currency', message: `Currency must be one of ${CURRENCIES.join(', ')}.` });
  }
  if (!Number.isSafeInteger(input.stock) || input.stock < 0 || input.stock > STOCK_MAX) {
    found.push({ field: 'stock', message: 'Stock must be a whole number, 0 or more.' });
  }
  return found;
}

function checkInput(input: ProductInput): { currency: Currency } {
  const found = validateProduct(input);
  if (found.length > 0 || !isCurrency(input.currency)) throw errors.validation(undefined, found);
  return { currency: input.currency };
}

export async function getProduct(db: Db, slug: string): Promise<ProductRow> {
  const product = await findProductBySlug(db, slug);
  if (!product) throw errors.notFound();
  return product;
}

/** Checks permission and input before the image is read into memory and anything is written. */
export function checkProductWrite(actor: Actor | null, input: ProductInput): void {
  requireAdmin(actor);
  checkInput(input);
}

/**
 * Creates a product; its image (a checked upload, not yet stored) is written in the same
 * transaction, so there is never a product naming a missing image nor an image of no product.
 */
export async function createProduct(
  db: Db,
  actor: Actor | null,
  input: ProductInput,
  image: NewUploadRow | null = null,
  now = new Date(),
): Promise<ProductRow> {
  requireAdmin(actor);
  const { currency } = checkInput(input);
  const name = input.name.trim();
  const base = slugify(name, 'product');
  return await transaction(db, async (trx) => {
    const imagePath = image ? await storeUpload(trx, image) : null;
    const { value: id } = await insertWithUniqueSlug({
      base,
      taken: () => productSlugsLike(trx, base),
      insert: (slug) =>
        insertProduct(trx, {
          slug,
          name,
          description: input.description.trim(),
          price_cents: input.priceCents,
          currency,
          stock: input.stock,
          image_path: imagePath,
          created_at: now,
          updated_at: now,
        }),
    });
    const created = await findProductById(trx, id);
    if (!created) throw errors.notFound();
    return created;
  });
}

/**
 * Updates a product; its slug stays as it was (links to it keep working). `image.upload` is a new
 * image, null removes it; the image it replaces is deleted in the same transaction.
 */
export async function updateProduct(
  db: Db,
  actor: Actor | null,
  slug: string,
  input: ProductInput,
  image?: { upload: NewUploadRow | null },
  now = new Date(),
): Promise<{ before: ProductRow; after: ProductRow }> {
  requireAdmin(actor);
  const { currency } = checkInput(input);
  return await transaction(db, async (trx) => {
    // Locked: two edits replacing the image one after the other each delete the one they replace.
    const before = await findProductBySlugForUpdate(trx, slug);
    if (!before) throw errors.notFound();
    const imagePath = image?.upload ? await storeUpload(trx, image.upload) : null;
    const patch = {
      name: input.name.trim(),
      description: input.description.trim(),
      price_cents: input.priceCents,
      currency,
      stock: input.stock,
      updated_at: now,
      ...(image ? { image_path: imagePath } : {}),
    };
    await updateProductById(trx, before.id, patch);
    if (image && before.image_path !== imagePath) await removeUpload(trx, before.image_path);
    return { before, after: { ...before, ...patch } };
  });
}

export async function deleteProduct(db: Db, actor: Actor | null, slug: string): Promise<ProductRow> {
  requireAdmin(actor);
  return await transaction(db, async (trx) => {
    const product = await findProductBySlugForUpdate(trx, slug);
    if (!product) throw errors.notFound();
    await deleteProductById(trx, product.id);
    await removeUpload(trx, product.image_path);
    return product;
  });
}

export interface ProductPage {
  items: ProductRow[];
  page: number;
  pageCount: number;
  total: number;
}

export async function listProductsPage(db: Db, page: number, pageSize: number): Promise<ProductPage> {
  const window = pageWindow(page, pageSize);
  const [items, total] = await Promise.all([
    listProducts(db, window.offset, window.pageSize),
    countProducts(db),
  ]);
  return { items, page, total, pageCount: pageCount(total, pageSize) };
}

export async function featuredProducts(db: Db, limit = 6): Promise<ProductRow[]> {
  return await listFeaturedProducts(db, limit);
}

export async function listProductsAfterCursor(
  db: Db,
  cursor: string | undefined,
  limit: number,
): Promise<{ items: ProductRow[]; nextCursor: string | null }> {
  const rows = await listProductsAfter(db, cursorParam(cursor), limit + 1);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const nextCursor =
    rows.length > limit && last ? encodeCursor({ at: last.created_at.getTime(), id: last.id }) : null;
  return { items, nextCursor };
}
