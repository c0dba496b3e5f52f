/**
 * Who runs what, checked through a RecordingHost: the application's own account is created when
 * missing, releases are given to root and made read-only, the site's CLI runs as the application's
 * account, and a checkout is built by its owner, not by root.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../../../src/stack/core/config/load.js';
import { isWebstackError } from '../../../src/stack/core/errors.js';
import { statePaths } from '../../../src/stack/core/paths.js';
import { RecordingHost } from '../../../src/stack/host/recording.js';
import { buildCheckout } from '../../../src/stack/operations/deploy/build.js';
import { APP_ACCOUNT, appRunAs, createSystemUser } from '../../../src/stack/operations/install/accounts.js';
import { createRelease } from '../../../src/stack/operations/release/release.js';
import { runSiteCli } from '../../../src/stack/operations/site-cli.js';

const paths = statePaths('/srv/webstack');
const quiet = () => {};
const app = { uid: 990, gid: 990 };

test('the application runs as webstack-app by default, not as nginx’s www-data', () => {
  assert.equal(resolveConfig({}).app.user, APP_ACCOUNT);
  assert.equal(APP_ACCOUNT, 'webstack-app');
});

test('as root, a missing application account is created as a system account without home or shell', async () => {
  const host = new RecordingHost({ root: true, users: { 'webstack-app': app } }).answer(
    ['getent', 'passwd', 'webstack-app'],
    { code: 2 },
  );
  assert.deepEqual(await appRunAs(host, 'webstack-app'), { user: 'webstack-app', ...app });
  assert.deepEqual(host.argvs(), [
    ['getent', 'passwd', 'webstack-app'],
    [
      'useradd',
      '--system',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
      'webstack-app',
    ],
  ]);
  assert.deepEqual(host.argvs()[1], createSystemUser('webstack-app'));
});

test('an existing application account is left alone; unprivileged, webstack runs the app as itself', async () => {
  const root = new RecordingHost({ root: true }).answer(['getent', 'passwd', 'webstack-app'], {
    stdout: 'webstack-app:x:990:990::/nonexistent:/usr/sbin/nologin\n',
  });
  await appRunAs(root, 'webstack-app');
  assert.deepEqual(root.argvs(), [['getent', 'passwd', 'webstack-app']]);
  const user = new RecordingHost({ root: false });
  assert.equal(await appRunAs(user, 'webstack-app'), null);
  assert.deepEqual(user.calls, []);
});

test('as root, a release is given to root and loses every group and other write bit before it goes live', async () => {
  const host = new RecordingHost({ root: true })
    .seed('/src/app/dist/site/entry.js', '')
    .answer(['git', '-C', '/src/app'], { stdout: '3f2a1b9c\n' });
  const id = await createRelease(host, paths, '/src/app', quiet);
  const staging = `/srv/webstack/releases/${id}.tmp`;
  const calls = host.calls.map((call) => (call.op === 'run' ? call.argv.join(' ') : call.op));
  assert.deepEqual(calls.slice(-3), [
    `chown -R --no-dereference 0:0 -- ${staging}`,
    `chmod -R u=rwX,go=rX -- ${staging}`,
    'rename',
  ]);
});

test("as root, the site's CLI runs as the application's account, from the release, with the migrator's credentials in its environment", async () => {
  const host = new RecordingHost({ root: true, users: { 'webstack-app': app } }).answer(
    ['getent', 'passwd', 'webstack-app'],
    { stdout: 'webstack-app:x:990:990::/nonexistent:/usr/sbin/nologin\n' },
  );
  await host.symlink('releases/r1', paths.current);
  await runSiteCli(host, resolveConfig({ stateDir: '/srv/webstack' }), paths, ['migrate'], {
    role: 'migrator',
  });
  const run = host.calls.findLast((call) => call.op === 'run');
  assert.deepEqual(run, {
    op: 'run',
    argv: [
      'setpriv',
      '--reuid=990',
      '--regid=990',
      '--init-groups',
      '--',
      process.execPath,
      '/srv/webstack/releases/r1/dist/site/cli.js',
      'migrate',
    ],
    cwd: '/srv/webstack/releases/r1',
    input: '',
  });
});

test('as root, a checkout owned by another account is installed and built by that account, with its HOME', async () => {
  const host = new RecordingHost({ root: true })
    .seedDir('/home/dev/app', { uid: 1000, gid: 1001 })
    .answer(['getent', 'passwd', '1000'], { stdout: 'dev:x:1000:1001:Dev:/home/dev:/bin/bash\n' });
  await buildCheckout(host, '/home/dev/app', quiet);
  const wrap = ['setpriv', '--reuid=1000', '--regid=1001', '--init-groups', '--'];
  assert.deepEqual(host.argvs(), [
    ['getent', 'passwd', '1000'],
    [...wrap, 'npm', 'ci', '--no-audit', '--no-fund', '--loglevel=error'],
    [...wrap, 'npm', 'run', '--silent', 'build'],
  ]);
});

test('as root, a checkout owned by root is built by root, and one owned by an unknown uid is refused', async () => {
  const own = new RecordingHost({ root: true }).seedDir('/root/app', { uid: 0, gid: 0 });
  await buildCheckout(own, '/root/app', quiet);
  assert.deepEqual(own.argvs()[0], ['npm', 'ci', '--no-audit', '--no-fund', '--loglevel=error']);
  const stray = new RecordingHost({ root: true })
    .seedDir('/mnt/app', { uid: 4242, gid: 4242 })
    .answer(['getent', 'passwd', '4242'], { code: 2 });
  await assert.rejects(buildCheckout(stray, '/mnt/app', quiet), (error: unknown) => {
    return isWebstackError(error) && error.code === 'BUILD_OWNER_UNKNOWN';
  });
  assert.deepEqual(stray.argvs(), [['getent', 'passwd', '4242']]);
});

test("as root, a release's production dependencies are installed by the checkout's owner, then the release is root's", async () => {
  const host = new RecordingHost({ root: true })
    .seed('/home/dev/app/dist/site/entry.js', '')
    .seedDir('/home/dev/app', { uid: 1000, gid: 1001 })
    .answer(['getent', 'passwd', '1000'], { stdout: 'dev:x:1000:1001:Dev:/home/dev:/bin/bash\n' })
    .answer(['git', '-C', '/home/dev/app'], { stdout: '3f2a1b9c\n' });
  const id = await createRelease(host, paths, '/home/dev/app', quiet);
  const staging = `/srv/webstack/releases/${id}.tmp`;
  const runs = host.argvs().map((argv) => argv.join(' '));
  assert.deepEqual(runs.slice(-5), [
    'getent passwd 1000',
    `chown -R --no-dereference 1000:1001 -- ${staging}`,
    'setpriv --reuid=1000 --regid=1001 --init-groups -- npm ci --omit=dev --no-audit --no-fund --loglevel=error',
    `chown -R --no-dereference 0:0 -- ${staging}`,
    `chmod -R u=rwX,go=rX -- ${staging}`,
  ]);
});
