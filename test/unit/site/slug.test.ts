import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  insertWithUniqueSlug,
  isDuplicateSlugError,
  isSlug,
  nextFreeSlug,
  SLUG_MAX_LENGTH,
  slugCandidate,
  slugify,
} from '../../../src/site/lib/slug.js';

describe('slugify', () => {
  it('lowercases, strips diacritics and joins words with hyphens', () => {
    assert.equal(slugify('Crème Brûlée: 10 Tips!'), 'creme-brulee-10-tips');
    assert.equal(slugify('  Hello,   World  '), 'hello-world');
    assert.equal(slugify('Ｆｕｌｌｗｉｄｔｈ ﬁ'), 'fullwidth-fi');
  });

  it('falls back when nothing is left', () => {
    assert.equal(slugify('!!!'), 'untitled');
    assert.equal(slugify('日本語', 'article'), 'article');
  });

  it('is at most 80 characters and never ends with a hyphen', () => {
    const slug = slugify(`${'a'.repeat(79)} b c`);
    assert.ok(slug.length <= SLUG_MAX_LENGTH);
    assert.doesNotMatch(slug, /-$/);
  });

  it('always yields a valid slug', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (title) =>
        assert.ok(isSlug(slugify(title)), slugify(title)),
      ),
    );
  });
});

describe('slug candidates', () => {
  it('numbers collisions from -2 and stays within the length limit', () => {
    assert.equal(slugCandidate('post', 1), 'post');
    assert.equal(slugCandidate('post', 2), 'post-2');
    const long = 'a'.repeat(SLUG_MAX_LENGTH);
    assert.equal(slugCandidate(long, 12).length, SLUG_MAX_LENGTH);
    assert.ok(slugCandidate(long, 12).endsWith('-12'));
  });

  it('picks the first free candidate', () => {
    assert.equal(nextFreeSlug('post', []), 'post');
    assert.equal(nextFreeSlug('post', ['post', 'post-2', 'post-4']), 'post-3');
  });
});

describe('insertWithUniqueSlug', () => {
  const duplicate = () =>
    Object.assign(new Error("Duplicate entry 'x' for key 'articles_slug_unique'"), { code: 'ER_DUP_ENTRY' });

  it('retries with the next suffix when the index refuses a slug', async () => {
    const inTable = new Set(['post']);
    const result = await insertWithUniqueSlug({
      base: 'post',
      taken: async () => [], // a stale hint: the index still knows better
      insert: async (slug) => {
        if (inTable.has(slug)) throw duplicate();
        inTable.add(slug);
        return slug.length;
      },
    });
    assert.deepEqual(result, { slug: 'post-2', value: 6 });
  });

  it('passes other errors through', async () => {
    await assert.rejects(
      insertWithUniqueSlug({
        base: 'p',
        taken: async () => [],
        insert: async () => Promise.reject(new Error('boom')),
      }),
      /boom/,
    );
  });

  it('recognises only duplicate-key errors on a slug key', () => {
    assert.equal(isDuplicateSlugError(duplicate()), true);
    assert.equal(
      isDuplicateSlugError(Object.assign(new Error("for key 'email'"), { code: 'ER_DUP_ENTRY' })),
      false,
    );
    assert.equal(isDuplicateSlugError('nope'), false);
  });
});
