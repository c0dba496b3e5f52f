import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import { type FieldError, SiteError } from '../../errors.js';
import { pageParam, slugParam } from '../../lib/http.js';
import { PAGE_SIZE } from '../../lib/pagination.js';
import { PageQuery, SlugParams } from '../../lib/schemas.js';
import { actorOf, requireRole } from '../../plugins/session.js';
import { formValuesOf, type ProductForm, productInputFrom, readProductForm } from './products.form.js';
import { DeleteForm } from './products.schemas.js';
import {
  canManageProducts,
  checkProductWrite,
  createProduct,
  deleteProduct,
  getProduct,
  listProductsPage,
  type ProductRow,
  updateProduct,
} from './products.service.js';
import { ProductFormPage, type ProductFormValues, ProductListPage, ProductView } from './products.views.js';

export interface ProductsOptions {
  /** Where an image is staged while it arrives and is checked (the bytes are then kept in the database). */
  uploadsDir: string;
  uploadMaxBytes: number;
}

/** HTML pages for products: list and detail for everyone, create/edit/delete with an image for admins. */
export async function productsRoutes(app: App, options: ProductsOptions): Promise<void> {
  const uploads = { dir: options.uploadsDir, maxBytes: options.uploadMaxBytes };
  // Encapsulated here: only the product forms accept multipart bodies.
  await app.register(multipart, {
    limits: {
      fileSize: uploads.maxBytes,
      files: 1,
      fields: 10,
      fieldSize: 64 * 1024,
      parts: 12,
      headerPairs: 50,
    },
  });
  const admins = { preHandler: requireRole('admin') };
  // The multipart body is read as a stream in the handler, which checks the token (products.form.ts).
  const streamedForm = { ...admins, config: { csrf: false } };

  const renderForm = (
    reply: FastifyReply,
    values: ProductFormValues,
    product: ProductRow | undefined,
    errors: readonly FieldError[] = [],
  ) =>
    reply.html(
      ProductFormPage({
        context: reply.pageContext(),
        csrfToken: reply.csrfToken(),
        product,
        values,
        errors,
        maxBytes: uploads.maxBytes,
      }),
    );

  /** Validation and size errors re-render the form with the person's values; the rest go to the error page. */
  async function handleForm(
    request: FastifyRequest,
    reply: FastifyReply,
    product: ProductRow | undefined,
    save: (form: ProductForm) => Promise<ProductRow>,
  ): Promise<FastifyReply> {
    let form: ProductForm | undefined;
    const values: ProductFormValues = {};
    try {
      form = await readProductForm(app, request, uploads, values);
      const saved = await save(form);
      return reply.redirect(`/products/${saved.slug}`, 303);
    } catch (error) {
      const fieldErrors = error instanceof SiteError && error.statusCode < 500 ? error.errors : undefined;
      if (!fieldErrors) throw error;
      const status = error instanceof SiteError ? error.statusCode : 400;
      return renderForm(reply.code(status), values, product, fieldErrors);
    } finally {
      // Saved or refused, the staging file goes: the bytes live in the database or nowhere.
      await form?.image?.discard();
    }
  }

  app.get('/products', { schema: { querystring: PageQuery } }, async (request, reply) => {
    const list = await listProductsPage(app.db, pageParam(request.query.page), PAGE_SIZE);
    return reply.html(
      ProductListPage({ context: reply.pageContext(), list, canManage: canManageProducts(actorOf(request)) }),
    );
  });

  app.get('/products/new', admins, async (_request, reply) => renderForm(reply, {}, undefined));

  app.post('/products', streamedForm, async (request, reply) =>
    handleForm(request, reply, undefined, async (form) => {
      const input = productInputFrom(form.values);
      checkProductWrite(actorOf(request), input);
      const image = form.image ? await form.image.upload() : null;
      return await createProduct(app.db, actorOf(request), input, image);
    }),
  );

  app.get('/products/:slug', { schema: { params: SlugParams } }, async (request, reply) => {
    const product = await getProduct(app.db, slugParam(request.params.slug));
    const canManage = canManageProducts(actorOf(request));
    return reply.html(
      ProductView({
        context: reply.pageContext(),
        product,
        canManage,
        csrfToken: canManage ? reply.csrfToken() : '',
      }),
    );
  });

  app.get('/products/:slug/edit', { ...admins, schema: { params: SlugParams } }, async (request, reply) => {
    const product = await getProduct(app.db, slugParam(request.params.slug));
    return renderForm(reply, formValuesOf(product), product);
  });

  app.post(
    '/products/:slug/edit',
    { ...streamedForm, schema: { params: SlugParams } },
    async (request, reply) => {
      const product = await getProduct(app.db, slugParam(request.params.slug));
      return handleForm(request, reply, product, async (form) => {
        const input = productInputFrom(form.values);
        checkProductWrite(actorOf(request), input);
        const upload = form.image ? await form.image.upload() : null;
        const image = upload ? { upload } : form.removeImage ? { upload: null } : undefined;
        const { after } = await updateProduct(app.db, actorOf(request), product.slug, input, image);
        return after;
      });
    },
  );

  app.post(
    '/products/:slug/delete',
    { ...admins, schema: { params: SlugParams, body: DeleteForm } },
    async (request, reply) => {
      await deleteProduct(app.db, actorOf(request), slugParam(request.params.slug));
      return reply.redirect('/products', 303);
    },
  );
}
