import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { siteSettings } from '../../../src/stack/components/appserver/site-env.js';
import { resolveConfig } from '../../../src/stack/core/config/load.js';
import { isWebstackError } from '../../../src/stack/core/errors.js';
import { statePaths } from '../../../src/stack/core/paths.js';

function errorOf(raw: unknown): string {
  try {
    resolveConfig(raw);
  } catch (error) {
    assert.ok(isWebstackError(error));
    assert.equal(error.code, 'CONFIG_INVALID');
    return error.message;
  }
  assert.fail('expected a config error');
}

test('no file at all gives the quick-start defaults', () => {
  const config = resolveConfig({});
  assert.equal(config.domain, 'foobar.com');
  assert.equal(config.siteHost, 'www.foobar.com');
  assert.equal(config.serverIp, '8.8.8.8');
  assert.equal(config.http.port, 80);
  assert.equal(config.database.mode, 'managed');
  assert.equal(config.workerCount, availableParallelism(), 'one worker per core');
  assert.equal(config.file, null);
});

test('nested defaults survive a partial section', () => {
  const config = resolveConfig({ http: { port: 8080 }, app: { workers: 3 } });
  assert.equal(config.http.port, 8080);
  assert.equal(config.http.listen, '0.0.0.0');
  assert.equal(config.workerCount, 3);
});

test('errors name the key, the bad value and what is allowed', () => {
  assert.equal(
    errorOf({ http: { port: 70000 } }),
    'config key "http.port" has the value 70000: must be <= 65535',
  );
  assert.equal(
    errorOf({ http: { port: '80' } }),
    'config key "http.port" has the value "80": must be integer',
  );
  assert.equal(
    errorOf({ serverIp: '1.2.3' }),
    'config key "serverIp" has the value "1.2.3": must match format "ipv4"',
  );
  assert.match(
    errorOf({ domain: 'Not A Domain' }),
    /^config key "domain" has the value "Not A Domain": must match pattern/,
  );
});

test('unknown keys are refused, so a typo never silently does nothing', () => {
  assert.equal(
    errorOf({ htpp: { port: 80 } }),
    'config key "htpp" has the value {"port":80}: is not a known key',
  );
  assert.equal(
    errorOf({ database: { prot: 1 } }),
    'config key "database.prot" has the value 1: is not a known key',
  );
});

test('an external database needs its URL', () => {
  assert.match(
    errorOf({ database: { mode: 'external' } }),
    /"database\.url" .*required when database\.mode is "external"/,
  );
  const config = resolveConfig({ database: { mode: 'external', url: 'mysql://admin:pw@db.internal:3306/' } });
  assert.equal(config.database.url, 'mysql://admin:pw@db.internal:3306/');
});

test('the root must be an object', () => {
  assert.match(errorOf([]), /"\(root\)".*must be a JSON object/);
  assert.match(errorOf(null), /"\(root\)".*must be a JSON object/);
});

test('HTTPS stays off unless asked for; an empty https.acme turns it on with its defaults', () => {
  assert.deepEqual(resolveConfig({}).https, { enabled: false, port: 443 });
  const acme = resolveConfig({ https: { acme: {} } }).https;
  assert.equal(acme.enabled, true);
  assert.equal(acme.acme?.renewBeforeDays, 30);
});

test('http.microCacheSeconds: 10 by default, 1-3600 allowed', () => {
  assert.equal(resolveConfig({}).http.microCacheSeconds, 10);
  assert.equal(resolveConfig({ http: { microCacheSeconds: 3600 } }).http.microCacheSeconds, 3600);
  assert.equal(
    errorOf({ http: { microCacheSeconds: 0 } }),
    'config key "http.microCacheSeconds" has the value 0: must be >= 1',
  );
  assert.equal(
    errorOf({ http: { microCacheSeconds: 3601 } }),
    'config key "http.microCacheSeconds" has the value 3601: must be <= 3600',
  );
});

test('a request must arrive whole within http.requestTimeoutSeconds (30 by default), and the site is told', () => {
  const config = resolveConfig({});
  assert.equal(config.http.requestTimeoutSeconds, 30);
  const secrets = { appDbPassword: 'a', migratorDbPassword: 'm', sessionSecret: 's', sstDbPassword: 't' };
  const settings = siteSettings(
    resolveConfig({ http: { requestTimeoutSeconds: 120 } }),
    statePaths('/s'),
    secrets,
    'r1',
  );
  assert.equal(settings.requestTimeoutSeconds, 120);
  assert.equal(
    errorOf({ http: { requestTimeoutSeconds: 0 } }),
    'config key "http.requestTimeoutSeconds" has the value 0: must be >= 1',
  );
});
