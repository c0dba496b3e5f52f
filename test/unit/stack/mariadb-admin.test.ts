import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminConnection, describeAdmin } from '../../../src/stack/components/mariadb/admin.js';
import { resolveConfig } from '../../../src/stack/core/config/load.js';
import { statePaths } from '../../../src/stack/core/paths.js';

test('a managed database is administered over its unix socket, with no password', () => {
  const config = resolveConfig({ stateDir: '/var/lib/webstack' });
  const admin = adminConnection(config);
  assert.equal(admin.socketPath, statePaths(config.stateDir).mariadb.socket);
  assert.equal(admin.password, undefined);
  assert.equal(adminConnection(config, '/tmp/other.sock').socketPath, '/tmp/other.sock');
});

test('an external database is administered with the account in database.url', () => {
  const config = resolveConfig({
    database: { mode: 'external', url: 'mysql://admin:s3cret@db.internal:3307/' },
  });
  const admin = adminConnection(config, '/ignored.sock');
  assert.deepEqual(
    [admin.host, admin.port, admin.user, admin.password],
    ['db.internal', 3307, 'admin', 's3cret'],
  );
  assert.equal(admin.socketPath, undefined);
  assert.equal(describeAdmin(admin), 'db.internal:3307', 'an error names the server, never the password');
});
