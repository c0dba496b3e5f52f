import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type NginxConfOptions, renderNginxConf } from '../../../src/stack/components/nginx/conf.js';

const base: NginxConfOptions = {
  serverName: 'www.foobar.com',
  apexName: 'foobar.com',
  listen: { host: '0.0.0.0', port: 80 },
  upstream: { host: '127.0.0.1', port: 3000 },
  assetsDir: '/s/assets',
  uploadsCacheDir: '/s/uploads-cache',
  errorPagesDir: '/s/errors',
  accessLog: '/s/logs/access.log',
  errorLog: '/s/logs/error.log',
  pidFile: '/s/run/nginx.pid',
  tempDir: '/s/nginx',
  clientMaxBodyBytes: 1024,
};

test('each client address may hold 100 connections with a request in progress; more get 429', () => {
  const conf = renderNginxConf(base);
  assert.match(conf, /limit_conn_zone \$binary_remote_addr zone=webstack_conn:10m;/);
  assert.match(conf, /limit_conn_status 429;/);
  assert.match(conf, /server_name www\.foobar\.com;[\s\S]*limit_conn webstack_conn 100;/);
  assert.match(renderNginxConf({ ...base, connectionsPerAddress: 20 }), /limit_conn webstack_conn 20;/);
  assert.doesNotMatch(renderNginxConf({ ...base, connectionsPerAddress: 0 }), /limit_conn/);
});

test('worker connections and the file limit are sized together', () => {
  const conf = renderNginxConf(base);
  assert.match(conf, /worker_rlimit_nofile 8192;/);
  assert.match(conf, /worker_connections 4096;/);
  assert.match(renderNginxConf({ ...base, workerConnections: 1000 }), /worker_rlimit_nofile 2000;/);
});

test('the public name does not answer the health endpoints', () => {
  assert.match(renderNginxConf(base), /location ~ \^\(\/healthz\|\/readyz\)\$ \{\n\s+return 404;/);
});

test('every location that reaches the application streams the body to it, whose deadline ends slow ones', () => {
  const conf = renderNginxConf({
    ...base,
    routes: [{ prefix: '/x/', upstream: { host: '127.0.0.1', port: 4000 } }],
  });
  const proxied = conf.split(/\n\s+location /).filter((block) => block.includes('proxy_pass '));
  assert.equal(proxied.length, 3, 'the site, its uploads and the extra route');
  for (const block of proxied) assert.match(block, /proxy_request_buffering off;/);
});
