import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCrossSite, mediaType } from '../../../src/site/plugins/cross-site.js';

const SITE = 'https://www.foobar.com';

test('isCrossSite: Sec-Fetch-Site cross-site or a foreign Origin; neither header is not', () => {
  assert.equal(isCrossSite({}, SITE), false);
  assert.equal(isCrossSite({ origin: SITE }, SITE), false);
  assert.equal(isCrossSite({ 'sec-fetch-site': 'same-origin' }, SITE), false);
  assert.equal(isCrossSite({ 'sec-fetch-site': 'same-site' }, SITE), false);
  assert.equal(isCrossSite({ 'sec-fetch-site': 'none' }, SITE), false);
  assert.equal(isCrossSite({ 'sec-fetch-site': 'cross-site' }, SITE), true);
  assert.equal(isCrossSite({ origin: 'https://evil.example' }, SITE), true);
  assert.equal(isCrossSite({ origin: 'null' }, SITE), true);
  assert.equal(isCrossSite({ origin: 'http://www.foobar.com' }, SITE), true);
  assert.equal(isCrossSite({ origin: 'https://www.foobar.com:8443' }, SITE), true);
});

test('mediaType: the type without parameters, lower case', () => {
  assert.equal(mediaType('application/JSON; charset=utf-8'), 'application/json');
  assert.equal(mediaType(' application/x-www-form-urlencoded'), 'application/x-www-form-urlencoded');
  assert.equal(mediaType(undefined), '');
});
