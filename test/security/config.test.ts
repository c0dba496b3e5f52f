import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { publicUrl } from '../../src/stack/components/appserver/site-env.js';
import { tlsOptions } from '../../src/stack/components/nginx/component.js';
import { resolveConfig } from '../../src/stack/core/config/load.js';
import { statePaths } from '../../src/stack/core/paths.js';
import { localHost } from '../../src/stack/host/index.js';

test('HTTPS is off by default: no TLS in the nginx options, an http:// public URL', async () => {
  const config = resolveConfig({ stateDir: '/srv/ws' });
  assert.deepEqual(config.https, { enabled: false, port: 443 });
  assert.equal(await tlsOptions(localHost, config, statePaths(config.stateDir)), undefined);
  assert.equal(publicUrl(config), 'http://www.foobar.com/');
});

test('HTTPS enabled without a certificate: a self-signed pair is made once under the state dir', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'webstack-https-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = resolveConfig({ stateDir: dir, https: { enabled: true, port: 8443 } });
  const tls = await tlsOptions(localHost, config, statePaths(dir));
  assert.ok(tls);
  assert.equal(tls.port, 8443);
  assert.ok(tls.certificate.startsWith(dir) && tls.key.startsWith(dir));
  assert.equal((await stat(tls.key)).mode & 0o777, 0o600);
  assert.equal(publicUrl(config), 'https://www.foobar.com:8443/');
  const given = resolveConfig({
    stateDir: dir,
    https: { enabled: true, certificate: '/etc/ssl/site.crt', key: '/etc/ssl/site.key' },
  });
  assert.deepEqual(await tlsOptions(localHost, given, statePaths(dir)), {
    port: 443,
    certificate: '/etc/ssl/site.crt',
    key: '/etc/ssl/site.key',
  });
});
