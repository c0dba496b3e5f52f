import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { installService, parsePasswd } from '../../../src/stack/cli/install-service.js';
import { renderLogrotate } from '../../../src/stack/components/logrotate/conf.js';
import { logrotateArgv, scheduleLogrotate } from '../../../src/stack/components/logrotate/schedule.js';
import { applyNginxConfig } from '../../../src/stack/components/nginx/apply.js';
import { ensureSelfSignedCertificate } from '../../../src/stack/components/tls/certificate.js';
import { resolveConfig } from '../../../src/stack/core/config/load.js';
import { isWebstackError } from '../../../src/stack/core/errors.js';
import { statePaths } from '../../../src/stack/core/paths.js';
import { RecordingHost } from '../../../src/stack/host/recording.js';
import { publishAssets } from '../../../src/stack/operations/deploy/assets.js';
import { buildCheckout } from '../../../src/stack/operations/deploy/build.js';
import { acquireDeployLock } from '../../../src/stack/operations/deploy/lock.js';
import { ensurePackages } from '../../../src/stack/operations/install/install.js';
import {
  activateRelease,
  createRelease,
  currentRelease,
  listReleases,
} from '../../../src/stack/operations/release/release.js';

const paths = statePaths('/srv/webstack');
const quiet = () => {};

test('a release is copied into a staging directory, installed there, renamed into place, then activated', async () => {
  const host = new RecordingHost()
    .seed('/src/app/dist/site/entry.js', '')
    .answer(['git', '-C', '/src/app'], { stdout: '3f2a1b9c\n' });
  const id = await createRelease(host, paths, '/src/app', quiet);
  assert.match(id, /^\d{8}-\d{6}-3f2a1b9c$/);
  const staging = `/srv/webstack/releases/${id}.tmp`;
  assert.deepEqual(host.calls, [
    { op: 'run', argv: ['git', '-C', '/src/app', 'rev-parse', '--short=8', 'HEAD'] },
    { op: 'remove', path: staging },
    { op: 'mkdir', path: staging, mode: 0o755 },
    { op: 'run', argv: ['cp', '-a', '--', '/src/app/dist', `${staging}/dist`] },
    { op: 'run', argv: ['cp', '-a', '--', '/src/app/package.json', `${staging}/package.json`] },
    { op: 'run', argv: ['cp', '-a', '--', '/src/app/package-lock.json', `${staging}/package-lock.json`] },
    {
      op: 'run',
      argv: ['npm', 'ci', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'],
      cwd: staging,
    },
    { op: 'run', argv: ['chmod', '-R', 'u=rwX,go=rX', '--', staging] },
    { op: 'rename', from: staging, to: `/srv/webstack/releases/${id}` },
  ]);
  assert.deepEqual(await listReleases(host, paths), [id]);

  host.calls.length = 0;
  await activateRelease(host, paths, id);
  assert.deepEqual(host.calls, [{ op: 'symlink', target: `releases/${id}`, path: '/srv/webstack/current' }]);
  assert.equal(await currentRelease(host, paths), id);
});

test('a checkout that was not built is refused before anything runs', async () => {
  const host = new RecordingHost();
  await assert.rejects(createRelease(host, paths, '/src/app', quiet), (error: unknown) => {
    return isWebstackError(error) && error.code === 'RELEASE_NOT_BUILT';
  });
  assert.deepEqual(host.calls, []);
});

test('a checkout without node_modules gets npm ci, then the build, both in the checkout', async () => {
  const host = new RecordingHost();
  await buildCheckout(host, '/src/app', quiet);
  assert.deepEqual(host.calls, [
    { op: 'run', argv: ['npm', 'ci', '--no-audit', '--no-fund', '--loglevel=error'], cwd: '/src/app' },
    { op: 'run', argv: ['npm', 'run', '--silent', 'build'], cwd: '/src/app' },
  ]);
});

test("a release's assets go to the shared directory nginx serves", async () => {
  const host = new RecordingHost().seed('/srv/webstack/releases/r1/dist/public/assets/site.1a2b.css', '');
  await publishAssets(host, paths, '/srv/webstack/releases/r1');
  assert.deepEqual(host.calls, [
    { op: 'mkdir', path: '/srv/webstack/public/assets', mode: 0o755 },
    {
      op: 'run',
      argv: [
        'cp',
        '-a',
        '--',
        '/srv/webstack/releases/r1/dist/public/assets/.',
        '/srv/webstack/public/assets',
      ],
    },
  ]);
});

test('install-service writes the unit, verifies it, and enables it instead of the distribution units', async () => {
  const host = new RecordingHost({ root: true })
    .seed('/usr/bin/systemd-analyze', '')
    .seed('/run/systemd/system/.keep', '');
  const log = console.log;
  console.log = quiet;
  try {
    assert.equal(await installService(host, resolveConfig({}), {}), 0);
  } finally {
    console.log = log;
  }
  const unit = '/etc/systemd/system/webstack.service';
  const checkout = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');
  assert.deepEqual(host.calls, [
    // The unit's ReadWritePaths= must exist, or systemd refuses to start it.
    { op: 'mkdir', path: '/var/lib/webstack', mode: 0o755 },
    { op: 'mkdir', path: checkout, mode: 0o755 },
    { op: 'mkdir', path: '/root/.npm', mode: 0o755, owner: { uid: 0, gid: 0 } },
    { op: 'write', path: unit, mode: 0o644 },
    { op: 'run', argv: ['systemd-analyze', 'verify', unit] },
    { op: 'run', argv: ['systemctl', 'daemon-reload'] },
    { op: 'run', argv: ['systemctl', 'disable', 'nginx.service', 'mariadb.service'] },
    { op: 'run', argv: ['systemctl', 'enable', 'webstack.service'] },
  ]);
  assert.match(host.text(unit) ?? '', /^ExecStart=.* daemon$/m);
  assert.match(host.text(unit) ?? '', /^ReadWritePaths=\/var\/lib\/webstack$/m);
});

test("npm's cache of each account that runs npm is found in /etc/passwd", () => {
  const accounts = parsePasswd(
    'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1001:Alice:/home/alice:/bin/bash\nbroken:x:oops\n',
  );
  assert.deepEqual(accounts.get(1000), { home: '/home/alice', uid: 1000, gid: 1001 });
  assert.deepEqual(accounts.get(0), { home: '/root', uid: 0, gid: 0 });
  assert.equal(accounts.size, 2);
});

test('install-service refuses to write under /etc unless root, and touches nothing', async () => {
  const host = new RecordingHost({ root: false });
  await assert.rejects(installService(host, resolveConfig({}), {}), (error: unknown) => {
    return isWebstackError(error) && error.code === 'NOT_ROOT';
  });
  assert.deepEqual(host.calls, []);
});

test('the logrotate schedule writes its own config in the state directory and runs nothing yet', async () => {
  const host = new RecordingHost();
  const stop = await scheduleLogrotate(host, paths, quiet);
  stop();
  const conf = '/srv/webstack/logrotate.conf';
  assert.deepEqual(host.calls, [{ op: 'write', path: conf, mode: 0o644 }]);
  assert.equal(
    host.text(conf),
    renderLogrotate({
      logs: [
        paths.nginx.accessLog,
        paths.nginx.errorLog,
        paths.app.log,
        paths.supervisorLog,
        paths.mariadb.log,
        '/srv/webstack/logs/keepalived.log',
      ],
    }),
  );
  assert.deepEqual(logrotateArgv('/srv/webstack/run/logrotate.status', conf), [
    'logrotate',
    '--state',
    '/srv/webstack/run/logrotate.status',
    conf,
  ]);
});

const nginxOptions = {
  confPath: '/srv/webstack/nginx/nginx.conf',
  prefix: '/srv/webstack/nginx',
  pidFile: '/srv/webstack/run/nginx.pid',
  errorLog: '/srv/webstack/logs/nginx-error.log',
};

test('a new nginx config is staged, checked with nginx -t, kept as .previous and swapped in', async () => {
  const host = new RecordingHost().seed(nginxOptions.confPath, 'old');
  const result = await applyNginxConfig(host, { ...nginxOptions, render: () => 'new' });
  assert.deepEqual(result, { changed: true, reloaded: false });
  const staged = `${nginxOptions.confPath}.staged`;
  assert.deepEqual(host.calls, [
    { op: 'write', path: staged, mode: 0o644 },
    { op: 'run', argv: ['nginx', '-t', '-q', '-p', nginxOptions.prefix, '-c', staged] },
    { op: 'remove', path: staged },
    { op: 'write', path: `${nginxOptions.confPath}.previous`, mode: 0o644 },
    { op: 'write', path: nginxOptions.confPath, mode: 0o644 },
  ]);
  assert.equal(host.text(nginxOptions.confPath), 'new');
  assert.equal(host.text(`${nginxOptions.confPath}.previous`), 'old');
});

test('an nginx config that nginx -t rejects never replaces the running one', async () => {
  const host = new RecordingHost()
    .seed(nginxOptions.confPath, 'old')
    .answer(['nginx', '-t'], { code: 1, stderr: 'nginx: [emerg] unknown directive "oops" in staged:1\n' });
  await assert.rejects(
    applyNginxConfig(host, { ...nginxOptions, render: () => 'oops;' }),
    (error: unknown) =>
      isWebstackError(error) &&
      error.code === 'NGINX_CONFIG_INVALID' &&
      /unknown directive/.test(error.message),
  );
  assert.equal(host.text(nginxOptions.confPath), 'old');
  assert.equal(host.text(`${nginxOptions.confPath}.staged`), undefined);
  assert.deepEqual(
    host.calls.filter((call) => call.op === 'write').map((call) => call.path),
    [`${nginxOptions.confPath}.staged`],
  );
});

test('an unchanged nginx config is neither checked nor written', async () => {
  const host = new RecordingHost().seed(nginxOptions.confPath, 'same');
  assert.deepEqual(await applyNginxConfig(host, { ...nginxOptions, render: () => 'same' }), {
    changed: false,
    reloaded: false,
  });
  assert.deepEqual(host.calls, []);
});

test('the deploy lock is refused while its owner lives and taken over once it is gone', async () => {
  const host = new RecordingHost({ alive: [4242] }).seed(paths.deployLock, '4242\n', 0o600);
  await assert.rejects(acquireDeployLock(host, paths), (error: unknown) => {
    return isWebstackError(error) && error.code === 'DEPLOY_LOCKED' && /pid 4242/.test(error.message);
  });
  host.alive.delete(4242);
  host.calls.length = 0;
  const release = await acquireDeployLock(host, paths);
  assert.equal(host.text(paths.deployLock), `${process.pid}\n`);
  await release();
  assert.deepEqual(host.calls, [
    { op: 'create', path: paths.deployLock, mode: 0o600 },
    { op: 'remove', path: paths.deployLock },
    { op: 'create', path: paths.deployLock, mode: 0o600 },
    { op: 'remove', path: paths.deployLock },
  ]);
});

test('missing packages are installed under a policy-rc.d that keeps the distribution services stopped', async () => {
  const host = new RecordingHost({ root: true });
  const installed = await ensurePackages(host, { withTestTools: false, log: quiet });
  assert.ok(installed.includes('nginx'));
  const [query, ...rest] = host.calls;
  assert.equal(query?.op === 'run' && query.argv[0], 'dpkg-query');
  assert.deepEqual(rest, [
    { op: 'write', path: '/usr/sbin/policy-rc.d', mode: 0o755 },
    { op: 'run', argv: ['apt-get', 'update', '-qq'] },
    { op: 'run', argv: ['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...installed] },
    { op: 'remove', path: '/usr/sbin/policy-rc.d' },
  ]);
});

test('a self-signed certificate is made once, its key readable by its owner only', async () => {
  const host = new RecordingHost();
  const options = { certificate: '/tls/site.crt', key: '/tls/private/site.key', names: ['www.foobar.com'] };
  assert.equal(await ensureSelfSignedCertificate(host, options), true);
  const [mkKey, mkCert, openssl, chmod] = host.calls;
  assert.deepEqual(
    [mkKey, mkCert, chmod],
    [
      { op: 'mkdir', path: '/tls/private', mode: 0o700 },
      { op: 'mkdir', path: '/tls', mode: 0o755 },
      { op: 'chmod', path: '/tls/private/site.key', mode: 0o600 },
    ],
  );
  assert.equal(openssl?.op === 'run' && openssl.argv[0], 'openssl');

  const made = new RecordingHost().seed(options.certificate, 'c').seed(options.key, 'k');
  assert.equal(await ensureSelfSignedCertificate(made, options), false);
  assert.deepEqual(made.calls, []);
});
