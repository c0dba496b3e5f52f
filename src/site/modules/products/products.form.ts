import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors, SiteError } from '../../errors.js';
import { centsToInput, parsePrice } from '../../lib/format.js';
import type { ProductInput, ProductRow } from './products.service.js';
import { type StagedImage, stageImage } from './products.uploads.js';
import type { ProductFormValues } from './products.views.js';

const FIELDS = new Set(['name', 'description', 'price', 'currency', 'stock', 'remove_image']);
const FIELD_MAX = 20_000;

export interface ProductForm {
  values: ProductFormValues;
  removeImage: boolean;
  image: StagedImage | null;
}

/**
 * Reads the multipart product form as a stream. The CSRF token must come before any file (the
 * form puts it first; an API client may send x-csrf-token instead), so nothing from a forged
 * request ever reaches the disk. On any error the staged file is deleted.
 */
export async function readProductForm(
  app: FastifyInstance,
  request: FastifyRequest,
  uploads: { dir: string; maxBytes: number },
  /** Filled as fields arrive, so a refused upload can still re-render what was typed. */
  values: ProductFormValues = {},
): Promise<ProductForm> {
  if (!request.isMultipart()) {
    throw new SiteError('UNSUPPORTED_MEDIA_TYPE', 415, 'Send this form as multipart/form-data.');
  }
  const header = request.headers['x-csrf-token'];
  let csrfChecked = false;
  if (typeof header === 'string') {
    app.verifyCsrf(request, header);
    csrfChecked = true;
  }
  const fields: Record<string, string> = Object.create(null);
  let image: StagedImage | null = null;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        const value = typeof part.value === 'string' ? part.value : '';
        if (part.fieldname === '_csrf' && !csrfChecked) {
          app.verifyCsrf(request, value);
          csrfChecked = true;
        } else if (FIELDS.has(part.fieldname) && value.length <= FIELD_MAX) {
          fields[part.fieldname] = value;
          if (part.fieldname !== 'remove_image') values[part.fieldname as keyof ProductFormValues] = value;
        }
        continue;
      }
      if (!csrfChecked) {
        part.file.resume();
        throw errors.csrf();
      }
      if (part.fieldname !== 'image' || image) {
        part.file.resume();
        continue;
      }
      image = await stageImage(part.file, uploads.dir, uploads.maxBytes, () => part.file.truncated);
    }
    if (!csrfChecked) throw errors.csrf();
  } catch (error) {
    await image?.discard();
    throw error;
  }
  return { values, removeImage: fields.remove_image === '1', image };
}

/** Form strings → service input; unparsable numbers become NaN so validation names the field. */
export function productInputFrom(values: ProductFormValues): ProductInput {
  const stock = values.stock?.trim() ?? '';
  return {
    name: values.name ?? '',
    description: values.description ?? '',
    priceCents: parsePrice(values.price ?? '') ?? Number.NaN,
    currency: values.currency ?? '',
    stock: /^\d{1,10}$/.test(stock) ? Number(stock) : Number.NaN,
  };
}

export function formValuesOf(product: ProductRow): ProductFormValues {
  return {
    name: product.name,
    description: product.description,
    price: centsToInput(product.price_cents),
    currency: product.currency,
    stock: String(product.stock),
  };
}
