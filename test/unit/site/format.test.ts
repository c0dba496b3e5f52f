import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { centsToInput, formatDate, formatPrice, parsePrice } from '../../../src/site/lib/format.js';
import { validateArticle } from '../../../src/site/modules/articles/articles.service.js';
import { validateProduct } from '../../../src/site/modules/products/products.service.js';

describe('prices', () => {
  it('parses what people type into cents', () => {
    assert.equal(parsePrice('12.34'), 1234);
    assert.equal(parsePrice('12,5'), 1250);
    assert.equal(parsePrice(' 7 '), 700);
    assert.equal(parsePrice('0.05'), 5);
    for (const bad of ['', '-1', '1.234', '1e3', 'abc', '12.34.5', '999999999'])
      assert.equal(parsePrice(bad), null, bad);
  });

  it('formats cents with the currency and back into a form value', () => {
    assert.equal(formatPrice(129900, 'EUR'), '€1,299.00');
    assert.equal(formatPrice(5, 'USD'), '$0.05');
    assert.equal(centsToInput(1205), '12.05');
  });

  it('formats dates in UTC', () => {
    assert.equal(formatDate(new Date('2026-03-01T23:30:00Z')), '1 March 2026');
  });
});

describe('validation', () => {
  it('names each bad product field', () => {
    const errors = validateProduct({
      name: ' ',
      description: '',
      priceCents: -1,
      currency: 'BTC',
      stock: 1.5,
    });
    assert.deepEqual(
      errors.map((e) => e.field),
      ['name', 'price', 'currency', 'stock'],
    );
    assert.deepEqual(
      validateProduct({ name: 'Mug', description: '', priceCents: 3200, currency: 'EUR', stock: 0 }),
      [],
    );
  });

  it('names each bad article field', () => {
    assert.deepEqual(
      validateArticle({ title: '', body: ' ', status: 'draft' }).map((e) => e.field),
      ['title', 'body'],
    );
    assert.deepEqual(
      validateArticle({ title: 'x'.repeat(201), body: 'b', status: 'published' })[0]?.field,
      'title',
    );
  });
});
