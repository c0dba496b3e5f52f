import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { REFERENCE_PATHS, renderReferenceNginxConf } from '../../../bench/reference/nginx-conf.js';
import { renderNginxConf } from '../../../src/stack/components/nginx/conf.js';

const options = {
  serverName: 'www.foobar.com',
  host: '127.0.0.1',
  port: 9100,
  nodeHttpPort: 9101,
  fastifyPort: 9102,
  staticDir: '/tmp/ref/static',
  dir: '/tmp/ref',
};

/** The lines of the server block that answers the site's name. */
function siteServer(conf: string): string {
  const start = conf.indexOf('    server_name www.foobar.com;');
  return conf.slice(start, conf.indexOf('\n  }\n', start));
}

test('the reference Nginx is the product’s config, proxying to the bare servers', () => {
  const conf = renderReferenceNginxConf(options);
  assert.match(conf, /^# The bench reference: not part of the product\./);
  assert.match(conf, /upstream webstack_app \{\n {4}server 127\.0\.0\.1:9101;/);
  assert.match(conf, /upstream webstack_route_0 \{\n {4}server 127\.0\.0\.1:9102;/);
  assert.match(conf, /location \^~ \/fastify\/ \{\n {6}proxy_pass http:\/\/webstack_route_0;/);
  assert.ok(REFERENCE_PATHS.fastify.startsWith('/fastify/'));
  assert.ok(REFERENCE_PATHS.static.startsWith('/assets/'), 'the static page is served as an asset');
  // The drift the hand copy had: the stack replaces a client's X-Forwarded-For.
  assert.equal(conf.includes('$proxy_add_x_forwarded_for'), false);
  // location /, /fastify/ and /uploads/.
  assert.equal(conf.split('proxy_set_header X-Forwarded-For $remote_addr;').length - 1, 3);
});

test('the reference server block is the stack’s, plus the /fastify/ location', () => {
  const product = renderNginxConf({
    serverName: 'www.foobar.com',
    apexName: 'foobar.com',
    listen: { host: options.host, port: options.port },
    upstream: { host: '127.0.0.1', port: options.nodeHttpPort },
    assetsDir: options.staticDir,
    uploadsCacheDir: '/tmp/ref/uploads-cache',
    errorPagesDir: '/tmp/ref/error-pages',
    accessLog: '/tmp/ref/access.log',
    errorLog: '/tmp/ref/error.log',
    pidFile: '/tmp/ref/nginx.pid',
    tempDir: '/tmp/ref',
    clientMaxBodyBytes: 1024 * 1024,
  });
  const reference = siteServer(renderReferenceNginxConf(options));
  const fastify = /\n {4}location \^~ \/fastify\/ \{\n[\s\S]*?\n {4}\}\n\n/.exec(reference)?.[0] ?? '';
  assert.notEqual(fastify, '');
  assert.equal(reference.replace(fastify, '\n'), siteServer(product));
});

test('a route prefix must be one plain path segment', () => {
  const conf = (prefix: string) =>
    renderNginxConf({
      ...{ serverName: 'www.foobar.com', apexName: 'foobar.com', listen: { host: '127.0.0.1', port: 80 } },
      upstream: { host: '127.0.0.1', port: 3000 },
      routes: [{ prefix, upstream: { host: '127.0.0.1', port: 3001 } }],
      assetsDir: '/a',
      uploadsCacheDir: '/u',
      errorPagesDir: '/e',
      accessLog: '/l',
      errorLog: '/el',
      pidFile: '/p',
      tempDir: '/t',
      clientMaxBodyBytes: 1,
    });
  assert.match(conf('/api/'), /location \^~ \/api\/ \{/);
  for (const bad of ['/api', 'api/', '/a b/', '/a;b/', '/$x/'])
    assert.throws(() => conf(bad), { code: 'NGINX_CONF_INPUT' }, bad);
});

test('the reference config passes the real `nginx -t`', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'webstack-ref-nginx-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'static'));
  const file = join(dir, 'nginx.conf');
  await writeFile(file, renderReferenceNginxConf({ ...options, staticDir: join(dir, 'static'), dir }));
  const { stderr } = await promisify(execFile)('nginx', ['-t', '-q', '-p', dir, '-c', file]);
  assert.equal(stderr.trim(), '');
});
