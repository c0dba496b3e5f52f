import type { App } from '../../app.js';
import { addEtags } from '../../lib/etag.js';
import { formatPrice } from '../../lib/format.js';
import { slugParam } from '../../lib/http.js';
import { API_DEFAULT_LIMIT } from '../../lib/pagination.js';
import { ListQuery, SlugParams } from '../../lib/schemas.js';
import { actorOf, requireRole } from '../../plugins/session.js';
import type { ProductsOptions } from './products.routes.js';
import { ProductCreate, ProductJson, ProductList, ProductPatch } from './products.schemas.js';
import {
  createProduct,
  deleteProduct,
  getProduct,
  listProductsAfterCursor,
  type ProductRow,
  updateProduct,
} from './products.service.js';

export function toProductJson(product: ProductRow): ProductJson {
  return {
    id: product.id,
    slug: product.slug,
    url: `/products/${product.slug}`,
    name: product.name,
    description: product.description,
    priceCents: product.price_cents,
    currency: product.currency,
    price: formatPrice(product.price_cents, product.currency),
    stock: product.stock,
    imageUrl: product.image_path,
    createdAt: product.created_at.toISOString(),
    updatedAt: product.updated_at.toISOString(),
  };
}

/** JSON API for products (under /api/v1): public reads with ETags; admin-only writes (images go through the form). */
export async function productsApiRoutes(app: App, _options: ProductsOptions): Promise<void> {
  addEtags(app);
  const admins = { preHandler: requireRole('admin') };

  app.get(
    '/products',
    { schema: { querystring: ListQuery, response: { 200: ProductList } } },
    async (request) => {
      const slice = await listProductsAfterCursor(
        app.db,
        request.query.cursor,
        request.query.limit ?? API_DEFAULT_LIMIT,
      );
      return { items: slice.items.map(toProductJson), nextCursor: slice.nextCursor };
    },
  );

  app.get(
    '/products/:slug',
    { schema: { params: SlugParams, response: { 200: ProductJson } } },
    async (request) => toProductJson(await getProduct(app.db, slugParam(request.params.slug))),
  );

  app.post(
    '/products',
    { ...admins, schema: { body: ProductCreate, response: { 201: ProductJson } } },
    async (request, reply) => {
      const { name, description = '', priceCents, currency, stock = 0 } = request.body;
      const product = await createProduct(app.db, actorOf(request), {
        name,
        description,
        priceCents,
        currency,
        stock,
      });
      return reply
        .code(201)
        .header('location', `/api/v1/products/${product.slug}`)
        .send(toProductJson(product));
    },
  );

  app.patch(
    '/products/:slug',
    { ...admins, schema: { params: SlugParams, body: ProductPatch, response: { 200: ProductJson } } },
    async (request) => {
      const current = await getProduct(app.db, slugParam(request.params.slug));
      const input = {
        name: request.body.name ?? current.name,
        description: request.body.description ?? current.description,
        priceCents: request.body.priceCents ?? current.price_cents,
        currency: request.body.currency ?? current.currency,
        stock: request.body.stock ?? current.stock,
      };
      const { after } = await updateProduct(app.db, actorOf(request), current.slug, input);
      return toProductJson(after);
    },
  );

  app.delete('/products/:slug', { ...admins, schema: { params: SlugParams } }, async (request, reply) => {
    await deleteProduct(app.db, actorOf(request), slugParam(request.params.slug));
    return reply.code(204).send();
  });
}
