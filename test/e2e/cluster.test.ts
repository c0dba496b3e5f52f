/**
 * Several servers, end to end, as root: `webstack lab` makes one lb, two app hosts and one db host
 * in network namespaces, and the real CLI brings the stack up on them from their inventory, over
 * SSH. Then: bad inventories are refused before anything changes; Chromium loads the site by name
 * through the lb; an app host loses power under a load of reads and writes, and comes back.
 * Each phase prints requests, failures by kind, the longest gap without a success, acknowledged
 * writes missing and the recovery time.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { statePaths } from '../../src/stack/core/paths.js';
import { browseSite } from '../support/browser.js';
import { exec, tcpOutcome } from '../support/exec.js';
import { holdLab, removeLabOnSignal } from '../support/lab-lock.js';
import { Load, type PhaseReport, reportPhase } from '../support/load.js';
import { apiLogin, httpRequest, shownPassword } from '../support/nginx.js';
import { cli } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

// A valid 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

interface ClusterStatusJson {
  healthy: boolean;
  hosts: {
    host: string;
    status: {
      running: boolean;
      healthy?: boolean;
      release?: string;
      components?: { name: string; healthy: boolean }[];
    };
  }[];
}

const address = { lb1: '198.18.0.11', app1: '198.18.0.12', app2: '198.18.0.13', db1: '198.18.0.14' } as const;
type Name = keyof typeof address;
const root = fileURLToPath(new URL('../..', import.meta.url));
/** A host's own state directory, /var/lib/webstack inside it, as the machine sees it. */
const HOST_STATE = '/var/lib/webstack';

describe('several servers: an lb, two app hosts and a db host from one inventory', {
  timeout: 1_500_000,
}, () => {
  // Root-owned and closed to others all the way up, as sshd's StrictModes wants (not /tmp).
  const parent = mkdtempSync('/var/lib/webstack-cluster-e2e-');
  const dir = join(parent, 'lab');
  const inventory = join(dir, 'lab.json');
  const key = join(dir, 'id_ed25519');
  const lab = (...args: string[]) => cli(['lab', ...args, '--dir', dir], { timeoutMs: 120_000 });
  const webstack = (args: readonly string[], config = inventory) =>
    cli(['--config', config, ...args], { timeoutMs: 900_000 });
  const onMachine = (name: Name, path: string) =>
    join(dir, 'hosts', name, 'var-lib-webstack', path.slice(HOST_STATE.length + 1));
  const hostPaths = statePaths(HOST_STATE);
  const ssh = (to: Name, argv: readonly string[], input = '') =>
    exec(
      'ssh',
      [
        '-i',
        key,
        '-o',
        'BatchMode=yes',
        '-o',
        `UserKnownHostsFile=${join(dir, 'known_hosts')}`,
        '-o',
        'StrictHostKeyChecking=yes',
        `root@${address[to]}`,
        // Our own fixed words: nothing here needs quoting for the remote shell.
        argv.join(' '),
      ],
      input,
    );
  let releaseLab: (() => Promise<void>) | undefined;
  let keepLabOnSignal: (() => void) | undefined;
  let load: Load | undefined;
  /** The admin's session of the power-loss test: the later loads write with it too. */
  let session: { cookie: string; csrfToken: string } | undefined;
  const reports: (PhaseReport & { missing: number; recoveryMs: number })[] = [];

  const status = async (): Promise<ClusterStatusJson> =>
    JSON.parse((await webstack(['status', '--json'])).stdout) as ClusterStatusJson;
  const processesIn = async (name: Name) =>
    (await exec('ip', ['netns', 'pids', name])).stdout.trim().split('\n').filter(Boolean).length;

  /** Writes of LOAD acknowledged before the query starts that the database lacks (the load goes on meanwhile). */
  const missingWritesOf = async (running: Load) => {
    const acknowledged = [...running.acknowledged];
    const stored = await ssh('db1', [
      'mariadb',
      `--socket=${hostPaths.mariadb.socket}`,
      '-N',
      '-e',
      `"SELECT title FROM foobar.articles WHERE title LIKE 'chaos ${process.pid} write %'"`,
    ]);
    assert.equal(stored.code, 0, stored.stderr);
    const titles = new Set(stored.stdout.trim().split('\n'));
    return acknowledged.filter((title) => !titles.has(title)).length;
  };
  const accessLog = () =>
    readFileSync(onMachine('lb1', hostPaths.nginx.accessLog), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { time: string; status: number; upstream_addr: string });
  /** The app host that answered: the last one nginx tried. */
  const servedBy = (entry: { upstream_addr: string }) => entry.upstream_addr.split(', ').pop()?.split(':')[0];

  before(async () => {
    releaseLab = await holdLab();
    keepLabOnSignal = removeLabOnSignal(dir, parent);
    const up = await lab('up', '--lb', '1', '--app', '2', '--db', '1');
    assert.equal(up.code, 0, up.stderr + up.stdout);
  });

  after(async () => {
    keepLabOnSignal?.();
    await load?.stop();
    if (reports.length > 0) {
      console.log(
        'phase | requests | failures | GETs retried after a keep-alive reset | longest gap | acknowledged writes missing | recovery',
      );
      for (const r of reports)
        console.log(
          `${r.phase} | ${r.requests} | ${JSON.stringify(r.failures)} | ${r.retried} | ${r.longestGapMs} ms | ${r.missing} | ${r.recoveryMs} ms`,
        );
    }
    await lab('down');
    await rm(parent, { recursive: true, force: true });
    await releaseLab?.();
  });

  /** A copy of the lab's inventory, changed, in a directory of its own (its own operator state). */
  async function variant(
    name: string,
    change: (config: { hosts: { address: string; roles: string[] }[] }) => void,
  ) {
    const config = JSON.parse(readFileSync(inventory, 'utf8'));
    change(config);
    await mkdir(join(parent, name), { recursive: true });
    const file = join(parent, name, 'config.json');
    await writeFile(file, JSON.stringify(config));
    return file;
  }

  const nothingChanged = async () => {
    for (const name of Object.keys(address) as Name[]) {
      assert.equal(existsSync(onMachine(name, `${HOST_STATE}/host.json`)), false, `${name} got a config`);
      assert.equal(existsSync(onMachine(name, `${HOST_STATE}/releases`)), false, `${name} got a release`);
      // The SSH sessions of the refused verb end a moment after it closed its connections.
      await waitFor(async () => (await processesIn(name)) === 1, {
        what: `${name} to run only its sshd`,
        timeoutMs: 15_000,
      });
    }
  };

  test('a malformed inventory, an unreachable host and a changed host key stop up before anything changes', async () => {
    const badRole = await variant('bad-role', (c) => {
      const app1 = c.hosts[1];
      if (app1) app1.roles = ['web'];
    });
    const refused = await webstack(['up'], badRole);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^error CONFIG_INVALID: .*hosts\.1\.roles.*\nfix: .+\n$/);

    const unreachable = await variant('unreachable', (c) => {
      const app2 = c.hosts[2];
      if (app2) app2.address = '198.18.0.99';
    });
    const silent = await webstack(['up'], unreachable);
    assert.equal(silent.code, 1);
    assert.match(
      silent.stderr,
      /^error SSH_UNREACHABLE: ssh cannot reach app2 \(root@198\.18\.0\.99:22\).*\nfix: .+\n$/,
    );

    // The operator once pinned another key for db1: a changed key is a stop, never a prompt.
    const changedKey = await variant('changed-key', () => {});
    const other = join(parent, 'changed-key', 'other_key');
    assert.equal((await exec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other])).code, 0);
    const [type, publicKey] = readFileSync(`${other}.pub`, 'utf8').split(' ');
    await mkdir(join(parent, 'changed-key', '.webstack'), { recursive: true });
    await writeFile(
      join(parent, 'changed-key', '.webstack', 'known_hosts'),
      `${address.db1} ${type} ${publicKey}\n`,
    );
    const changed = await webstack(['up'], changedKey);
    assert.equal(changed.code, 1);
    assert.match(changed.stderr, /^error SSH_HOST_KEY_CHANGED: .*db1.*\nfix: .+\n$/);

    // The operator's own certificate for the lb, named but not on this machine.
    const noPair = await variant('no-pair', (c) => {
      Object.assign(c, {
        https: {
          enabled: true,
          certificate: join(parent, 'no-pair', 'missing.pem'),
          key: join(parent, 'no-pair', 'missing.key'),
        },
      });
    });
    const unreadable = await webstack(['up'], noPair);
    assert.equal(unreadable.code, 1);
    assert.match(
      unreadable.stderr,
      /^error HTTPS_PAIR_UNREADABLE: cannot read \S+missing\.pem .*\nfix: .+\n$/,
    );

    await nothingChanged();
  });

  test('up brings the db, then the app hosts, then the lb up; status is one table of host × component', async () => {
    const up = await webstack(['up']);
    assert.equal(up.code, 0, up.stderr + up.stdout);
    const found = (text: string) => {
      const index = up.stdout.indexOf(text);
      assert.ok(index >= 0, `"${text}" in: ${up.stdout}`);
      return index;
    };
    const healthyAt = (name: Name) => found(`${name.padEnd(6)} healthy`);
    const startedAt = (name: Name) => found(`${name.padEnd(6)} starting the supervisor`);
    assert.ok(healthyAt('db1') >= 0 && healthyAt('db1') < startedAt('app1'), up.stdout);
    assert.ok(healthyAt('app1') < startedAt('app2') && healthyAt('app2') < startedAt('lb1'), up.stdout);

    const current = await status();
    assert.equal(current.healthy, true, JSON.stringify(current));
    assert.deepEqual(
      current.hosts.map((h) => [h.host, h.status.components?.map((c) => c.name)]),
      [
        ['lb1', ['nginx']],
        ['app1', ['appserver']],
        ['app2', ['appserver']],
        ['db1', ['mariadb']],
      ],
    );
    // One release, built once and shipped to every host.
    assert.equal(new Set(current.hosts.map((h) => h.status.release)).size, 1);
    const text = await webstack(['status']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /HOST\s+ADDRESS\s+ROLES\s+COMPONENT/);
    assert.match(text.stdout, /db1\s+198\.18\.0\.14\s+db\s+mariadb\s+running/);
    for (const name of Object.keys(address) as Name[]) {
      for (const file of [`${HOST_STATE}/host.json`, hostPaths.secrets])
        assert.equal(statSync(onMachine(name, file)).mode & 0o777, 0o600, `${name}: ${file}`);
    }
    // MariaDB's key on db1 is the mysql account's alone; the CA's key never left this machine.
    const key = statSync(onMachine('db1', hostPaths.tls.serverKey));
    assert.equal(key.mode & 0o777, 0o600);
    assert.equal(key.uid, Number((await exec('id', ['-u', 'mysql'])).stdout.trim()));
    for (const name of Object.keys(address) as Name[])
      assert.equal(existsSync(onMachine(name, `${HOST_STATE}/tls/ca`)), false, `${name} holds no CA key`);
    // The database takes the app hosts' connections on its own address, never the lb's.
    const grants = await ssh('db1', [
      'mariadb',
      `--socket=${hostPaths.mariadb.socket}`,
      '-N',
      '-e',
      '"SELECT DISTINCT Host FROM mysql.user WHERE User=\'webstack_app\' ORDER BY Host"',
    ]);
    assert.equal(grants.code, 0, grants.stderr);
    assert.deepEqual(
      grants.stdout.trim().split('\n'),
      ['127.0.0.1', address.app1, address.app2, 'localhost'].sort(),
    );
  });

  test('Chromium loads the site by name through the lb', async () => {
    await browseSite(address.lb1);
  });

  test('an app host loses power under load: no failed GET, no acknowledged write lost; after its reboot it serves again', async () => {
    // From the operator's machine: the site's CLI runs on an app host.
    const added = await webstack(['user', 'add', '--email', 'cluster@example.com', '--role', 'admin']);
    assert.equal(added.code, 0, added.stderr);
    // Through the lb by name (fetch would drop the Host header: node:http sends it).
    const lb = { address: address.lb1, port: 80 };
    session = await apiLogin(lb, 'cluster@example.com', shownPassword(added.stdout));
    const { cookie, csrfToken } = session;

    // A product image uploaded through the lb: its bytes are a row in MariaDB, not a file on an app host.
    const boundary = '----webstack-cluster-e2e';
    const field = (name: string, value: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const created = await httpRequest({
      ...lb,
      path: '/products',
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        cookie,
        'x-csrf-token': csrfToken,
      },
      body: Buffer.concat([
        Buffer.from(
          field('name', 'Cluster Lamp') +
            field('price', '10.00') +
            field('currency', 'EUR') +
            field('stock', '1'),
        ),
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="lamp.png"\r\nContent-Type: image/png\r\n\r\n`,
        ),
        PNG,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]),
    });
    assert.equal(created.status, 303, created.body);
    const product = await httpRequest({ ...lb, path: '/api/v1/products/cluster-lamp' });
    const { imageUrl } = JSON.parse(product.body) as { imageUrl: string };
    assert.match(imageUrl, /^\/uploads\/[0-9a-f]{32}\.png$/);

    load = new Load({
      address: address.lb1,
      port: 80,
      host: 'www.foobar.com',
      readers: 3,
      readPaths: ['/', '/articles', '/api/v1/articles', '/products'],
      pauseMs: 20,
      cookie,
      csrfToken,
      maxRequests: 50_000,
    });
    const running = load;
    running.start();
    const answered = (phase: string, since: number, gets: number, posts: number) =>
      running.answered(phase, since, gets, posts);
    await answered('warm-up', 0, 30, 5);
    assert.deepEqual(
      running.samples.filter((s) => s.status < 200 || s.status >= 400).slice(0, 3),
      [],
      'the warm-up has no failure',
    );

    const missingWrites = () => missingWritesOf(running);

    running.phase = 'app1 power loss';
    let from = Date.now();
    assert.equal((await lab('crash', 'app1')).code, 0);
    const crashedAt = Date.now();
    await answered(running.phase, Date.now(), 60, 10);
    running.phase = 'between';
    const loss = reportPhase(running.samples, 'app1 power loss', from, Date.now());
    reports.push({ ...loss, missing: await missingWrites(), recoveryMs: 0 });
    assert.equal(loss.failedGets, 0, JSON.stringify(loss));
    assert.equal(reports.at(-1)?.missing, 0);
    // Once nginx has seen it fail (and the access log's second-resolution times are past that),
    // every answer comes from app2; a retry after the 10 s pause may try app1 first.
    const settled = () =>
      // (A request in flight on app1 when it died, never answered, is logged with app1 and a 5xx.)
      accessLog().filter((e) => Date.parse(e.time) > crashedAt + 2_000 && e.upstream_addr && e.status < 500);
    await waitFor(() => settled().length >= 50, {
      what: '50 requests proxied to an app host after the loss',
      timeoutMs: 60_000,
    });
    assert.deepEqual([...new Set(settled().map(servedBy))], [address.app2]);

    // The upload made before the loss, asked of app2 itself from the lb (past the lb's cache).
    const fromApp2 = await ssh('lb1', [
      'curl',
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code},%{size_download}',
      '-H',
      'Host:www.foobar.com',
      `http://${address.app2}:3000${imageUrl}`,
    ]);
    assert.equal(fromApp2.stdout, `200,${PNG.length}`, fromApp2.stderr);
    // Only the lb reaches an app host's port: from this machine, app2's firewall drops the connection.
    assert.equal(await tcpOutcome(address.app2, 3000), 'timeout');

    running.phase = 'app1 reboot';
    from = Date.now();
    assert.equal((await lab('start', 'app1')).code, 0);
    await waitFor(
      async () => (await status()).hosts.find((h) => h.host === 'app1')?.status.healthy === true,
      { what: 'app1 healthy again after its reboot', timeoutMs: 180_000, intervalMs: 1_000 },
    );
    await waitFor(() => accessLog().some((e) => Date.parse(e.time) > from && servedBy(e) === address.app1), {
      what: 'the lb sending app1 requests again',
      timeoutMs: 60_000,
    });
    const recoveryMs = Date.now() - from;
    await answered(running.phase, Date.now(), 30, 5);
    running.phase = 'between';
    const reboot = reportPhase(running.samples, 'app1 reboot', from, Date.now());
    reports.push({ ...reboot, missing: await missingWrites(), recoveryMs });
    assert.equal(reboot.failedGets, 0, JSON.stringify(reboot));
    assert.equal(reports.at(-1)?.missing, 0);
  });

  test('a rolling deploy under load: one app host at a time, no failed request, no write lost', async () => {
    const running = load;
    assert.ok(running, 'the load of the power-loss test runs');
    const before = await status();
    const old = before.hosts[0]?.status.release;
    // A new release of the same code: the checkout's built dist and lock file, in a directory of its own.
    const source = join(parent, 'next');
    for (const item of ['dist', 'package.json', 'package-lock.json'])
      await cp(join(root, item), join(source, item), { recursive: true });
    running.phase = 'rolling deploy';
    const from = Date.now();
    const deploy = await webstack(['deploy', source, '--no-build']);
    assert.equal(deploy.code, 0, deploy.stderr + deploy.stdout);
    // app1 is out of the rotation and back before app2 leaves it.
    const at = (text: string) => {
      const index = deploy.stdout.indexOf(text);
      assert.ok(index >= 0, `"${text}" in: ${deploy.stdout}`);
      return index;
    };
    assert.ok(at('app1   back in the rotation') < at('app2   out of the rotation'), deploy.stdout);
    const recoveryMs = Date.now() - from;
    await waitFor(
      () =>
        running.samples.filter((s) => s.phase === 'rolling deploy' && s.endedAt > from + 1_000).length >= 30,
      { what: 'the load answered during the deploy', timeoutMs: 60_000 },
    );
    running.phase = 'between';
    await running.stop();
    const report = reportPhase(running.samples, 'rolling deploy', from, Date.now());
    reports.push({ ...report, missing: await missingWritesOf(running), recoveryMs });
    assert.deepEqual(report.failures, {}, JSON.stringify(report));
    assert.equal(reports.at(-1)?.missing, 0);
    const after = await status();
    const releases = new Set(after.hosts.map((h) => h.status.release));
    assert.equal(releases.size, 1, JSON.stringify(after.hosts.map((h) => [h.host, h.status.release])));
    assert.notEqual([...releases][0], old);
    assert.equal(after.healthy, true);
  });

  test('a release that fails on app2 is undone on app1; app1 reboots on its release behind the schema; rollback goes one release back', async () => {
    assert.ok(session, 'the session of the power-loss test');
    const releasesNow = async () => new Map((await status()).hosts.map((h) => [h.host, h.status.release]));
    const serving = [...new Set((await releasesNow()).values())];
    assert.equal(serving.length, 1, JSON.stringify(serving));
    // A release that adds a column (an expand migration, applied before any host switches) and
    // whose workers cannot start on app2: app1 takes it first, then app2 fails.
    const source = join(parent, 'broken');
    for (const item of ['dist', 'package.json', 'package-lock.json'])
      await cp(join(root, item), join(source, item), { recursive: true });
    const migration = '2099_01_01_0000_add_articles_subtitle';
    await writeFile(
      join(source, 'dist/site/database/migrations', `${migration}.js`),
      "export async function up(db) { await db.schema.alterTable('articles').addColumn('subtitle', 'varchar(200)').execute(); }\n",
    );
    const migratorJs = join(source, 'dist/site/database/migrator.js');
    const listed = "'2026_12_01_2300_create_uploads': createUploads,";
    assert.ok(readFileSync(migratorJs, 'utf8').includes(listed), 'the compiled migration list');
    await writeFile(
      migratorJs,
      `import * as addSubtitle from './migrations/${migration}.js';\n${readFileSync(migratorJs, 'utf8').replace(listed, `${listed} '${migration}': addSubtitle,`)}`,
    );
    const entry = join(source, 'dist/site/entry.js');
    await writeFile(
      entry,
      `import { hostname as labHostname } from 'node:os';\nif (labHostname() === 'app2') { console.error('this release cannot start on app2'); process.exit(1); }\n${readFileSync(entry, 'utf8')}`,
    );

    const running = new Load({
      address: address.lb1,
      port: 80,
      host: 'www.foobar.com',
      readers: 2,
      readPaths: ['/', '/articles', '/api/v1/articles'],
      pauseMs: 20,
      ...session,
      maxRequests: 30_000,
    });
    load = running;
    running.start();
    running.phase = 'failed deploy, undone';
    let from = Date.now();
    const deploy = await webstack(['deploy', source, '--no-build']);
    assert.equal(deploy.code, 1, deploy.stdout);
    assert.match(deploy.stderr, /did not become ready on app2/);
    assert.match(deploy.stdout, new RegExp(`putting app1 back on ${serving[0]}`));
    assert.deepEqual(
      [...(await releasesNow()).values()],
      [serving[0], serving[0], serving[0], serving[0]],
      'every host on the release it ran',
    );
    const failedDeploy = reportPhase(running.samples, running.phase, from, Date.now());
    reports.push({ ...failedDeploy, missing: await missingWritesOf(running), recoveryMs: Date.now() - from });
    assert.equal(reports.at(-1)?.missing, 0);
    assert.deepEqual(failedDeploy.failures, {}, JSON.stringify(failedDeploy));

    // The schema now has the column of a release no host runs. app1 reboots on its own release.
    running.phase = 'app1 reboot behind the schema';
    from = Date.now();
    assert.equal((await lab('crash', 'app1')).code, 0);
    assert.equal((await lab('start', 'app1')).code, 0);
    await waitFor(
      async () => (await status()).hosts.find((h) => h.host === 'app1')?.status.healthy === true,
      { what: 'app1 healthy after its reboot', timeoutMs: 180_000, intervalMs: 1_000 },
    );
    await waitFor(() => accessLog().some((e) => Date.parse(e.time) > from && servedBy(e) === address.app1), {
      what: 'the lb sending app1 requests again',
      timeoutMs: 60_000,
    });
    const supervisorLog = readFileSync(onMachine('app1', hostPaths.supervisorLog), 'utf8');
    assert.match(
      supervisorLog,
      new RegExp(`schema is ahead of this release \\(a newer one applied ${migration}\\)`),
    );
    const reboot = reportPhase(running.samples, running.phase, from, Date.now());
    reports.push({ ...reboot, missing: await missingWritesOf(running), recoveryMs: Date.now() - from });
    assert.equal(reports.at(-1)?.missing, 0);
    assert.equal(reboot.failedGets, 0, JSON.stringify(reboot));

    // Back one release: the one before the rolling deploy's, on every host, one app host at a time.
    running.phase = 'rollback';
    from = Date.now();
    const rollback = await webstack(['rollback']);
    assert.equal(rollback.code, 0, rollback.stderr + rollback.stdout);
    const [, target] = rollback.stdout.match(/rolled back to release (\S+) \(was (\S+)\)/) ?? [];
    assert.ok(target && target < (serving[0] ?? ''), rollback.stdout);
    assert.deepEqual([...(await releasesNow()).values()], [target, target, target, target]);
    await running.stop();
    const back = reportPhase(running.samples, running.phase, from, Date.now());
    reports.push({ ...back, missing: await missingWritesOf(running), recoveryMs: Date.now() - from });
    assert.equal(reports.at(-1)?.missing, 0);
    assert.deepEqual(back.failures, {}, JSON.stringify(back));
    assert.equal((await status()).healthy, true);
  });

  test('backup brings a checked copy to the operator; restore puts it back on the db host; logs come from every host', async () => {
    const backup = await webstack(['backup']);
    assert.equal(backup.code, 0, backup.stderr + backup.stdout);
    const local = backup.stdout.match(/copied here: (\S+) \(checked; db1 keeps (\S+)\)/);
    assert.ok(local?.[1] && local[2], backup.stdout);
    assert.equal(local[1].startsWith(join(dir, '.webstack', 'backups')), true, local[1]);
    assert.equal(statSync(local[1]).mode & 0o777, 0o600);
    const recorded = readFileSync(`${local[1]}.sha256`, 'utf8').split(/\s+/)[0];
    assert.equal(
      recorded,
      execFileSync('sha256sum', [local[1]], { encoding: 'utf8' }).split(/\s+/)[0],
      'the copy is the archive db1 recorded',
    );
    assert.equal(existsSync(onMachine('db1', local[2])), true);

    // An account made after the backup is gone once it is restored.
    const later = await webstack(['user', 'add', '--email', 'after-backup@example.com']);
    assert.equal(later.code, 0, later.stderr);
    const restore = await webstack(['restore', local[1]]);
    assert.equal(restore.code, 0, restore.stderr + restore.stdout);
    assert.match(restore.stdout, /restored \d+ rows/);
    const role = await webstack(['user', 'role', '--email', 'after-backup@example.com', '--role', 'editor']);
    assert.equal(role.code, 1, role.stdout);
    assert.match(role.stderr, /no account with the email after-backup@example\.com/);
    const kept = await webstack(['user', 'role', '--email', 'cluster@example.com', '--role', 'editor']);
    assert.equal(kept.code, 0, kept.stderr);
    assert.equal((await status()).healthy, true);

    const logs = await webstack(['logs', 'webstack', '-n', '3']);
    assert.equal(logs.code, 0, logs.stderr);
    assert.doesNotMatch(logs.stdout, /no logs yet/);
    const hostsSeen = new Set(
      logs.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[0]),
    );
    assert.deepEqual([...hostsSeen].sort(), ['app1', 'app2', 'db1', 'lb1']);
    const one = await webstack(['logs', 'app', '--host', 'app2', '-n', '2']);
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(
      [
        ...new Set(
          one.stdout
            .trim()
            .split('\n')
            .map((l) => l.split(' ')[0]),
        ),
      ],
      ['app2'],
    );
    const unknown = await webstack(['logs', '--host', 'app9']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no host named app9 in the inventory/);
  });

  test('doctor checks every host and what only the operator sees; metrics are one exposition labelled by host', async () => {
    const doctor = await webstack(['doctor']);
    for (const name of Object.keys(address)) {
      assert.match(doctor.stdout, new RegExp(`^ok +${name}: ssh: answers as root`, 'm'), doctor.stdout);
      assert.match(doctor.stdout, new RegExp(`^ok +${name}: clock: within 1 s`, 'm'), doctor.stdout);
      assert.match(doctor.stdout, new RegExp(`^ok +${name}: firewall: `, 'm'), doctor.stdout);
    }
    assert.match(doctor.stdout, /^ok +lb1: peers: reaches app1:3000, app2:3000$/m, doctor.stdout);
    assert.match(doctor.stdout, /^ok +app2: peers: reaches db1:3307$/m, doctor.stdout);
    assert.equal(doctor.code, 0, doctor.stdout);

    const metrics = await webstack(['metrics']);
    assert.equal(metrics.code, 0, metrics.stderr);
    for (const name of ['app1', 'app2'])
      assert.match(metrics.stdout, new RegExp(`^http_requests_total\\{host="${name}",`, 'm'));
    assert.equal(metrics.stdout.match(/^# TYPE http_requests_total /gm)?.length, 1, metrics.stdout);
  });

  test('down stops every host, lb first', async () => {
    const down = await webstack(['down']);
    assert.equal(down.code, 0, down.stderr + down.stdout);
    assert.ok(down.stdout.indexOf('lb1') >= 0, down.stdout);
    assert.ok(down.stdout.indexOf('lb1') < down.stdout.indexOf('db1'), down.stdout);
    const current = await status();
    assert.equal(current.healthy, false);
    assert.deepEqual(
      current.hosts.map((h) => [h.host, h.status.running]),
      [
        ['lb1', false],
        ['app1', false],
        ['app2', false],
        ['db1', false],
      ],
    );
    for (const name of Object.keys(address) as Name[])
      await waitFor(async () => (await processesIn(name)) === 1, {
        what: `${name} to run only its sshd`,
        timeoutMs: 30_000,
      });
  });
});
