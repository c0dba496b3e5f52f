import type { FieldError } from '../../errors.js';
import { formatPrice } from '../../lib/format.js';
import { Pager } from '../../lib/pager.js';
import { CsrfField, EditDeleteActions, FormErrors, TextField } from '../../views/components/form.js';
import type { PageContext } from '../../views/context.js';
import { Layout } from '../../views/layout.js';
import type { ProductPage, ProductRow } from './products.service.js';
import { CURRENCIES } from './products.table.js';

/** The first letter of the name stands in for a missing photo. */
function Thumb({ product, class: className }: { product: ProductRow; class: string }): JSX.Element {
  return (
    <div class={className}>
      {product.image_path ? (
        <img src={product.image_path} alt="" loading="lazy" width="400" height="300" />
      ) : (
        <span aria-hidden="true" safe>
          {product.name.slice(0, 1).toUpperCase()}
        </span>
      )}
    </div>
  );
}

function Stock({ stock }: { stock: number }): JSX.Element {
  if (stock === 0) return <span class="stock stock-out">Out of stock</span>;
  return <span class="stock stock-in">{stock < 10 ? `Only ${stock} left` : 'In stock'}</span>;
}

export function ProductCard({ product, level = 2 }: { product: ProductRow; level?: 2 | 3 }): JSX.Element {
  const link = (
    <a href={`/products/${product.slug}`} safe>
      {product.name}
    </a>
  );
  return (
    <article class="product-card">
      <Thumb product={product} class="thumb" />
      <div class="body">
        {level === 2 ? <h2>{link}</h2> : <h3>{link}</h3>}
        <span class="price">{formatPrice(product.price_cents, product.currency)}</span>
        <Stock stock={product.stock} />
      </div>
    </article>
  );
}

export function ProductGrid({ products, level = 2 }: { products: ProductRow[]; level?: 2 | 3 }): JSX.Element {
  return (
    <ul class="product-grid">
      {products.map((product) => (
        <li>
          <ProductCard product={product} level={level} />
        </li>
      ))}
    </ul>
  );
}

export function ProductListPage(props: {
  context: PageContext;
  list: ProductPage;
  canManage: boolean;
}): JSX.Element {
  const { context, list, canManage } = props;
  return (
    <Layout title="Products" description="Things we make and sell at foobar.com." context={context}>
      <div class="section-head">
        <h1>Products</h1>
        {canManage ? (
          <a class="button" href="/products/new">
            New product
          </a>
        ) : (
          ''
        )}
      </div>
      {list.items.length === 0 ? (
        <p class="notice">No products yet.</p>
      ) : (
        <ProductGrid products={list.items} />
      )}
      <Pager base="/products" page={list.page} pageCount={list.pageCount} />
    </Layout>
  );
}

/** Plain text, one paragraph per blank-line-separated block; every paragraph escaped. */
function Paragraphs({ text }: { text: string }): JSX.Element {
  const blocks = text.split(/\n\s*\n/).filter((b) => b.trim() !== '');
  return (
    <>
      {blocks.map((block) => (
        <p safe>{block.trim()}</p>
      ))}
    </>
  );
}

export function ProductView(props: {
  context: PageContext;
  product: ProductRow;
  canManage: boolean;
  csrfToken: string;
}): JSX.Element {
  const { context, product, canManage, csrfToken } = props;
  return (
    <Layout title={product.name} description={product.description.slice(0, 160)} context={context}>
      <p class="meta">
        <a href="/products">← All products</a>
      </p>
      <div class="product-detail">
        <Thumb product={product} class="image" />
        <div>
          <h1 safe>{product.name}</h1>
          <p class="price">{formatPrice(product.price_cents, product.currency)}</p>
          <p>
            <Stock stock={product.stock} />
          </p>
          <div class="prose">
            <Paragraphs text={product.description} />
          </div>
          {canManage ? <EditDeleteActions path={`/products/${product.slug}`} csrfToken={csrfToken} /> : ''}
        </div>
      </div>
    </Layout>
  );
}

export interface ProductFormValues {
  name?: string;
  description?: string;
  price?: string;
  currency?: string;
  stock?: string;
}

function FieldMessage({ id, error }: { id: string; error: FieldError | undefined }): JSX.Element {
  return error ? (
    <p class="field-error" id={id} safe>
      {error.message}
    </p>
  ) : (
    ''
  );
}

export function ProductFormPage(props: {
  context: PageContext;
  csrfToken: string;
  product?: ProductRow;
  values: ProductFormValues;
  errors?: readonly FieldError[];
  maxBytes: number;
}): JSX.Element {
  const { context, csrfToken, product, values, errors = [], maxBytes } = props;
  const title = product ? 'Edit product' : 'New product';
  const error = (field: string) => errors.find((e) => e.field === field);
  const invalid = (field: string) => (error(field) ? 'true' : undefined);
  const currency = values.currency ?? 'EUR';
  return (
    <Layout title={title} context={context}>
      <h1>{title}</h1>
      <FormErrors errors={errors} />
      <form
        method="post"
        action={product ? `/products/${product.slug}/edit` : '/products'}
        enctype="multipart/form-data"
        class="stacked"
        novalidate
      >
        {/* First, so the server can check it before it accepts any file. */}
        <CsrfField token={csrfToken} />
        <TextField name="name" label="Name" value={values.name} required maxlength={200} errors={errors} />
        <div class="field">
          <label for="field-description">Description</label>
          <textarea
            id="field-description"
            name="description"
            aria-invalid={invalid('description')}
            aria-describedby={error('description') ? 'field-description-error' : undefined}
            safe
          >
            {values.description ?? ''}
          </textarea>
          <FieldMessage id="field-description-error" error={error('description')} />
        </div>
        <div class="form-row">
          <div class="field">
            <label for="field-price">Price</label>
            <input
              id="field-price"
              name="price"
              inputmode="decimal"
              value={values.price}
              required
              aria-invalid={invalid('price')}
              aria-describedby={error('price') ? 'field-price-error' : undefined}
            />
            <FieldMessage id="field-price-error" error={error('price')} />
          </div>
          <div class="field">
            <label for="field-currency">Currency</label>
            <select id="field-currency" name="currency" aria-invalid={invalid('currency')}>
              {CURRENCIES.map((code) => (
                <option value={code} selected={code === currency}>
                  {code}
                </option>
              ))}
            </select>
            <FieldMessage id="field-currency-error" error={error('currency')} />
          </div>
          <div class="field">
            <label for="field-stock">Stock</label>
            <input
              id="field-stock"
              name="stock"
              type="number"
              min="0"
              step="1"
              value={values.stock ?? '0'}
              aria-invalid={invalid('stock')}
              aria-describedby={error('stock') ? 'field-stock-error' : undefined}
            />
            <FieldMessage id="field-stock-error" error={error('stock')} />
          </div>
        </div>
        <div class="field">
          <label for="field-image">Image</label>
          <p class="hint" id="field-image-hint">
            PNG, JPEG, WebP or GIF, at most {String(Math.floor(maxBytes / 1024))} KB.
            {product?.image_path ? ' Choosing a file replaces the current image.' : ''}
          </p>
          <input
            id="field-image"
            name="image"
            type="file"
            accept="image/png,image/jpeg,image/webp,image/gif"
            aria-invalid={invalid('image')}
            aria-describedby={error('image') ? 'field-image-hint field-image-error' : 'field-image-hint'}
          />
          <FieldMessage id="field-image-error" error={error('image')} />
        </div>
        {product?.image_path ? (
          <label>
            <input type="checkbox" name="remove_image" value="1" /> Remove the current image
          </label>
        ) : (
          ''
        )}
        <div class="form-actions">
          <button type="submit">{product ? 'Save changes' : 'Create product'}</button>
          <a href={product ? `/products/${product.slug}` : '/products'}>Cancel</a>
        </div>
      </form>
    </Layout>
  );
}
