import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CursorError, decodeCursor, encodeCursor } from '../../../src/site/lib/cursor.js';
import {
  MAX_PAGE,
  PaginationError,
  pageCount,
  pageWindow,
  parsePage,
} from '../../../src/site/lib/pagination.js';

describe('cursor', () => {
  it('round-trips a key as an opaque base64url string', () => {
    const cursor = encodeCursor({ at: Date.UTC(2026, 0, 2), id: 42 });
    assert.match(cursor, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(decodeCursor(cursor), { at: Date.UTC(2026, 0, 2), id: 42 });
  });

  it('round-trips any valid key', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 253402300799999 }),
        fc.integer({ min: 1, max: 2 ** 32 }),
        (at, id) => {
          assert.deepEqual(decodeCursor(encodeCursor({ at, id })), { at, id });
        },
      ),
    );
  });

  it('refuses malformed, huge and out-of-range cursors', () => {
    const bad = [
      '',
      'not base64!',
      'x'.repeat(10_000),
      Buffer.from('{"at":1,"id":2}').toString('base64url'),
      Buffer.from('[1]').toString('base64url'),
      Buffer.from('[1,0]').toString('base64url'),
      Buffer.from('[-1,3]').toString('base64url'),
      Buffer.from('[1.5,3]').toString('base64url'),
      Buffer.from('["1",3]').toString('base64url'),
      Buffer.from('[1,1e300]').toString('base64url'),
      Buffer.from('[1,2').toString('base64url'),
    ];
    for (const cursor of bad) assert.throws(() => decodeCursor(cursor), CursorError, cursor.slice(0, 40));
  });

  it('never throws anything but CursorError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (input) => {
        try {
          decodeCursor(input);
        } catch (error) {
          assert.ok(error instanceof CursorError);
        }
      }),
    );
  });
});

describe('pagination', () => {
  it('defaults to page 1', () => {
    assert.equal(parsePage(undefined), 1);
    assert.equal(parsePage(''), 1);
    assert.equal(parsePage('3'), 3);
  });

  it('refuses page 0, negatives, non-integers and huge pages', () => {
    for (const raw of [
      '0',
      '-1',
      '1.5',
      'abc',
      '1e3',
      String(MAX_PAGE + 1),
      '99999999999999999999',
      ['1', '2'],
    ]) {
      assert.throws(() => parsePage(raw), PaginationError, String(raw));
    }
  });

  it('computes offsets and page counts', () => {
    assert.deepEqual(pageWindow(3, 10), { page: 3, pageSize: 10, offset: 20 });
    assert.equal(pageCount(0, 10), 1);
    assert.equal(pageCount(21, 10), 3);
  });
});
