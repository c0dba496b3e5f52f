import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { etagOf, ifNoneMatchMatches } from '../../../src/site/lib/etag.js';

describe('etag', () => {
  it('is a weak tag that depends only on the body', () => {
    assert.match(etagOf('{"a":1}'), /^W\/"[A-Za-z0-9_-]{27}"$/);
    assert.equal(etagOf('{"a":1}'), etagOf(Buffer.from('{"a":1}')));
    assert.notEqual(etagOf('{"a":1}'), etagOf('{"a":2}'));
  });

  it('matches If-None-Match with the weak comparison, lists and *', () => {
    const tag = etagOf('x');
    assert.equal(ifNoneMatchMatches(tag, tag), true);
    assert.equal(ifNoneMatchMatches(tag.slice(2), tag), true);
    assert.equal(ifNoneMatchMatches(`"other", ${tag}`, tag), true);
    assert.equal(ifNoneMatchMatches('*', tag), true);
    assert.equal(ifNoneMatchMatches('"other"', tag), false);
    assert.equal(ifNoneMatchMatches(undefined, tag), false);
  });
});
