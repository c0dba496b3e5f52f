import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestLogLevel } from '../../../src/site/lib/request-log.js';

describe('requestLogLevel', () => {
  it('logs fast successes and redirects only at debug (Nginx has the access log)', () => {
    assert.equal(requestLogLevel(200, 3), 'debug');
    assert.equal(requestLogLevel(304, 999), 'debug');
  });
  it('keeps client errors at info, slow requests at warn, server errors at error', () => {
    assert.equal(requestLogLevel(404, 2), 'info');
    assert.equal(requestLogLevel(200, 1001), 'warn');
    assert.equal(requestLogLevel(429, 1500), 'warn');
    assert.equal(requestLogLevel(503, 1), 'error');
    assert.equal(requestLogLevel(500, 5000), 'error');
  });
});
