import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type NginxConfOptions, renderNginxConf } from '../../../src/stack/components/nginx/conf.js';
import { isWebstackError } from '../../../src/stack/core/errors.js';

const base: NginxConfOptions = {
  serverName: 'www.foobar.com',
  apexName: 'foobar.com',
  listen: { host: '0.0.0.0', port: 80 },
  upstream: { host: '127.0.0.1', port: 3000 },
  assetsDir: '/srv/assets',
  uploadsCacheDir: '/srv/uploads-cache',
  errorPagesDir: '/srv/errors',
  accessLog: '/srv/logs/access.log',
  errorLog: '/srv/logs/error.log',
  pidFile: '/srv/run/nginx.pid',
  tempDir: '/srv/nginx/temp',
  clientMaxBodyBytes: 1024,
};

test('micro-cache: off without a directory, on with one (10 s for 200, refreshed on writes, lock, stale while updating)', () => {
  assert.doesNotMatch(renderNginxConf(base), /webstack_micro/);
  const conf = renderNginxConf({ ...base, microCacheDir: '/srv/nginx/temp/micro-cache' });
  assert.match(conf, /proxy_cache_path \/srv\/nginx\/temp\/micro-cache levels=1:2 keys_zone=webstack_micro:/);
  for (const line of [
    'proxy_cache webstack_micro;',
    'proxy_cache_valid 200 10s;',
    'proxy_cache_valid 404 1s;',
    'proxy_cache_lock on;',
    'proxy_cache_use_stale updating;',
    'proxy_cache_bypass $webstack_cache_cookie $webstack_cache_path $http_authorization $webstack_cache_refresh;',
    'proxy_no_cache $webstack_cache_cookie $webstack_cache_path $http_authorization;',
    'add_header X-Cache-Status $upstream_cache_status always;',
  ]) {
    assert.ok(conf.includes(`      ${line}\n`), line);
  }
  // nginx's default of never storing a response with Set-Cookie is kept.
  assert.doesNotMatch(conf, /proxy_ignore_headers/);
});

test('micro-cache: a refresh counts from loopback and the listed app hosts only', () => {
  const conf = renderNginxConf({
    ...base,
    microCacheDir: '/srv/nginx/temp/micro-cache',
    cacheRefreshFrom: ['198.18.0.21'],
  });
  assert.match(
    conf,
    /geo \$webstack_cache_refresher \{\n {4}default 0;\n {4}127\.0\.0\.1\/32 1;\n {4}::1\/128 1;\n {4}198\.18\.0\.21 1;\n {2}\}/,
  );
  assert.match(conf, /map \$webstack_cache_refresher:\$http_x_webstack_refresh \$webstack_cache_refresh \{/);
  assert.throws(
    () => renderNginxConf({ ...base, microCacheDir: '/srv/c', cacheRefreshFrom: ['1.2.3.4 1; include x'] }),
    (e: unknown) => isWebstackError(e) && /cacheRefreshFrom/.test(e.message),
  );
});

test('micro-cache: a directory that could change the config is refused', () => {
  assert.throws(
    () => renderNginxConf({ ...base, microCacheDir: '/srv/cache; include /etc/passwd' }),
    (e: unknown) => isWebstackError(e) && /microCacheDir/.test(e.message),
  );
});

test('micro-cache: microCacheSeconds sets how long a 200 stays valid (10 s by default)', () => {
  const dir = '/srv/nginx/temp/micro-cache';
  assert.ok(renderNginxConf({ ...base, microCacheDir: dir }).includes('      proxy_cache_valid 200 10s;\n'));
  const conf = renderNginxConf({ ...base, microCacheDir: dir, microCacheSeconds: 300 });
  assert.ok(conf.includes('      proxy_cache_valid 200 300s;\n'));
  assert.doesNotMatch(conf, /proxy_cache_valid 200 10s/);
  // A deleted page's 404 still replaces the old copy within a second.
  assert.ok(conf.includes('      proxy_cache_valid 404 1s;\n'));
  for (const bad of [0, 3601, 1.5, Number.NaN])
    assert.throws(
      () => renderNginxConf({ ...base, microCacheDir: dir, microCacheSeconds: bad }),
      (e: unknown) => isWebstackError(e) && /microCacheSeconds/.test(e.message) && /1-3600/.test(e.message),
    );
});
