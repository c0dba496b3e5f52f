import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { type NginxConfOptions, renderNginxConf } from '../../../src/stack/components/nginx/conf.js';
import { isWebstackError } from '../../../src/stack/core/errors.js';

const base: NginxConfOptions = {
  serverName: 'www.foobar.com',
  apexName: 'foobar.com',
  listen: { host: '0.0.0.0', port: 80 },
  upstream: { host: '127.0.0.1', port: 3000 },
  assetsDir: '/srv/ws/current/dist/public/assets',
  uploadsCacheDir: '/srv/ws/uploads-cache',
  errorPagesDir: '/srv/ws/nginx/errors',
  accessLog: '/srv/ws/logs/nginx-access.log',
  errorLog: '/srv/ws/logs/nginx-error.log',
  pidFile: '/srv/ws/run/nginx.pid',
  tempDir: '/srv/ws/nginx',
  clientMaxBodyBytes: 10_485_760,
};

/** The body of the first block that opens with HEAD (up to its matching brace). */
function block(conf: string, head: string): string {
  const start = conf.indexOf(head);
  assert.notEqual(start, -1, `no block ${head}`);
  let depth = 0;
  for (let i = conf.indexOf('{', start); i < conf.length; i++) {
    if (conf[i] === '{') depth++;
    if (conf[i] === '}' && --depth === 0) return conf.slice(start, i + 1);
  }
  throw new Error(`unclosed block ${head}`);
}

test('serves www.foobar.com, redirects the apex to it and refuses every other Host', () => {
  const conf = renderNginxConf(base);
  assert.match(conf, /listen 0\.0\.0\.0:80 default_server;\n\s+server_name _;\n\s+return 444;/);
  assert.match(conf, /server_name foobar\.com;\n\s+return 301 http:\/\/www\.foobar\.com\$request_uri;/);
  assert.match(conf, /server_name www\.foobar\.com;/);
});

test('the apex redirect keeps a non-standard port', () => {
  const conf = renderNginxConf({ ...base, listen: { host: '127.0.0.1', port: 8080 } });
  assert.match(conf, /return 301 http:\/\/www\.foobar\.com:8080\$request_uri;/);
});

test('assets: alias with a trailing slash, immutable caching, nosniff', () => {
  const conf = renderNginxConf(base);
  const assets = block(conf, 'location ^~ /assets/ {');
  assert.match(assets, /alias \/srv\/ws\/current\/dist\/public\/assets\/;/);
  assert.match(assets, /gzip_static on;/);
  assert.match(assets, /autoindex off;/);
  assert.match(assets, /Cache-Control "public, max-age=31536000, immutable"/);
  assert.match(assets, /X-Content-Type-Options nosniff/);
});

test('uploads: proxied to the app and kept in their own disk cache, with nosniff and a sandboxing CSP', () => {
  const conf = renderNginxConf(base);
  assert.match(
    conf,
    /^ {2}proxy_cache_path \/srv\/ws\/uploads-cache levels=1:2 keys_zone=webstack_uploads:10m max_size=2g inactive=365d use_temp_path=off;$/m,
  );
  const uploads = block(conf, 'location ^~ /uploads/ {');
  for (const line of [
    'proxy_pass http://webstack_app;',
    'proxy_cache webstack_uploads;',
    'proxy_cache_key $uri;',
    'proxy_cache_valid 200 365d;',
    'proxy_cache_lock on;',
    'add_header X-Cache-Status $upstream_cache_status always;',
    'proxy_hide_header Content-Security-Policy;',
    'add_header X-Content-Type-Options nosniff always;',
    `add_header Content-Security-Policy "default-src 'none'; style-src 'unsafe-inline'; sandbox" always;`,
    'proxy_set_header X-Request-Id $request_id;',
  ]) {
    assert.ok(uploads.includes(line), line);
  }
  // Nothing the app says about caching is overridden, and no file on this host is served.
  assert.doesNotMatch(uploads, /proxy_ignore_headers|alias|root /);
  assert.doesNotMatch(uploads, /webstack_micro/);
});

test('everything else is proxied over keep-alive with the request id and forwarding headers', () => {
  const conf = renderNginxConf(base);
  assert.match(block(conf, 'upstream webstack_app {'), /server 127\.0\.0\.1:3000;\n\s+keepalive 32;/);
  const proxy = block(conf, 'location / {');
  for (const line of [
    'proxy_pass http://webstack_app;',
    'proxy_http_version 1.1;',
    'proxy_set_header Connection "";',
    'proxy_set_header Host $host;',
    'proxy_set_header X-Forwarded-For $remote_addr;',
    'proxy_set_header X-Forwarded-Proto $scheme;',
    'proxy_set_header X-Request-Id $request_id;',
    'proxy_connect_timeout 2s;',
    'proxy_read_timeout 30s;',
    'proxy_next_upstream error timeout http_502 http_503;',
    'proxy_next_upstream_tries 3;',
  ]) {
    assert.ok(proxy.includes(line), `missing ${line}`);
  }
  assert.doesNotMatch(proxy, /non_idempotent/);
});

test('several application servers all land in the upstream', () => {
  const conf = renderNginxConf({
    ...base,
    upstream: [
      { host: '10.0.0.11', port: 3000 },
      { host: 'app2.internal', port: 3000 },
    ],
  });
  assert.match(
    block(conf, 'upstream webstack_app {'),
    /server 10\.0\.0\.11:3000;\n\s+server app2\.internal:3000;/,
  );
  // Across hosts a 503 is the answer, not a reason to mark the host down and try the next one.
  const across = renderNginxConf({ ...base, nextUpstreamOn503: false });
  assert.match(across, /proxy_next_upstream error timeout http_502;/);
  assert.doesNotMatch(across, /http_503/);
});

test('limits, timeouts, temp paths and the JSON access log', () => {
  const conf = renderNginxConf(base);
  for (const line of [
    'client_max_body_size 10485760;',
    'server_tokens off;',
    'client_header_timeout 10s;',
    'client_body_timeout 10s;',
    'send_timeout 10s;',
    'keepalive_timeout 65s;',
    'worker_processes auto;',
    'pid /srv/ws/run/nginx.pid;',
    'error_log /srv/ws/logs/nginx-error.log warn;',
    'client_body_temp_path /srv/ws/nginx/client_body;',
    'proxy_temp_path /srv/ws/nginx/proxy;',
    'fastcgi_temp_path /srv/ws/nginx/fastcgi;',
    'uwsgi_temp_path /srv/ws/nginx/uwsgi;',
    'scgi_temp_path /srv/ws/nginx/scgi;',
    'access_log /srv/ws/logs/nginx-access.log webstack_json;',
    'error_page 502 503 504 /_webstack/50x.html;',
  ]) {
    assert.ok(conf.includes(line), `missing ${line}`);
  }
  assert.match(
    conf,
    /log_format webstack_json escape=json '\{"time":"\$time_iso8601","request_id":"\$request_id",/,
  );
  assert.match(block(conf, 'location ^~ /_webstack/ {'), /internal;\n\s+alias \/srv\/ws\/nginx\/errors\/;/);
});

test('user only when running as root; brotli only when the module is there; status server only when asked', () => {
  const plain = renderNginxConf(base);
  assert.doesNotMatch(plain, /^user /m);
  assert.doesNotMatch(plain, /brotli|load_module|stub_status/);
  const full = renderNginxConf({
    ...base,
    runAsUser: 'www-data',
    brotliStaticModule: '/usr/lib/nginx/modules/ngx_http_brotli_static_module.so',
    statusPort: 8099,
  });
  assert.match(full, /^user www-data;$/m);
  assert.match(full, /^load_module \/usr\/lib\/nginx\/modules\/ngx_http_brotli_static_module\.so;$/m);
  assert.match(block(full, 'location ^~ /assets/ {'), /brotli_static on;/);
  const status = full.slice(full.indexOf('listen 127.0.0.1:8099;') - 40);
  assert.match(status, /listen 127\.0\.0\.1:8099;[\s\S]*allow 127\.0\.0\.1;\s+deny all;[\s\S]*stub_status;/);
  assert.doesNotMatch(block(full, 'location / {'), /stub_status/);
});

test('refuses values that would change the meaning of the config', () => {
  const bad: Partial<NginxConfOptions>[] = [
    { assetsDir: '/srv/a; autoindex on' },
    { uploadsCacheDir: '/srv/$host' },
    { errorLog: 'relative/path.log' },
    { serverName: 'www.foobar.com other.com' },
    { apexName: 'Foobar.com' },
    { listen: { host: '0.0.0.0', port: 0 } },
    { upstream: [] },
    { clientMaxBodyBytes: -1 },
    { runAsUser: 'root; worker_processes 1' },
  ];
  for (const override of bad) {
    assert.throws(
      () => renderNginxConf({ ...base, ...override }),
      (error) => isWebstackError(error) && error.code === 'NGINX_CONF_INPUT',
      JSON.stringify(override),
    );
  }
});

test('the rendered config passes the real `nginx -t`', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'webstack-nginx-t-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const sub of ['assets', 'uploads', 'errors', 'logs', 'run', 'nginx']) await mkdir(join(dir, sub));
  const conf = renderNginxConf({
    ...base,
    listen: { host: '127.0.0.1', port: 8080 },
    assetsDir: join(dir, 'assets'),
    uploadsCacheDir: join(dir, 'nginx', 'uploads-cache'),
    errorPagesDir: join(dir, 'errors'),
    accessLog: join(dir, 'logs', 'access.log'),
    errorLog: join(dir, 'logs', 'error.log'),
    pidFile: join(dir, 'run', 'nginx.pid'),
    tempDir: join(dir, 'nginx'),
    runAsUser: 'www-data',
    statusPort: 8081,
    upstream: [
      { host: '127.0.0.1', port: 3000 },
      { host: '127.0.0.2', port: 3000 },
    ],
  });
  const file = join(dir, 'nginx', 'nginx.conf');
  await writeFile(file, conf);
  const { stderr } = await promisify(execFile)('nginx', ['-t', '-q', '-p', join(dir, 'nginx'), '-c', file]);
  assert.equal(stderr.trim(), '');
});
