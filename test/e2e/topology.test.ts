/**
 * The full topology, end to end, as root: `webstack lab` makes two lbs, two app hosts and three db
 * hosts; `webstack up` gives the lbs one floating address (keepalived, VRRPv3) and forms a Galera
 * cluster of the three db hosts, which each app host reaches through its own HAProxy. Under a load
 * of readers and writers through the floating address (every write has a unique title and counts
 * as acknowledged on a 2xx), one host at a time loses power and reboots: an app host, the db
 * writer, a db backup node, the lb holding the address, the other lb; then a rolling deploy. Then
 * the database's own trials: (a) the writer's mariadbd to SIGKILL, (c) a node to a network
 * partition, (d) every db host at once, (e) restarts node by node. After each phase every
 * acknowledged write is looked up on every node. The table of phases is printed at the end.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { cp, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { statePaths } from '../../src/stack/core/paths.js';
import { labCrash } from '../../src/stack/lab/lab.js';
import { browseSite } from '../support/browser.js';
import { exec, tcpOutcome } from '../support/exec.js';
import { holdLab, removeLabOnSignal } from '../support/lab-lock.js';
import { Load, type PhaseReport, reportPhase } from '../support/load.js';
import { apiLogin, shownPassword } from '../support/nginx.js';
import { cli } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

const address = {
  lb1: '198.18.0.11',
  lb2: '198.18.0.12',
  app1: '198.18.0.13',
  app2: '198.18.0.14',
  db1: '198.18.0.15',
  db2: '198.18.0.16',
  db3: '198.18.0.17',
} as const;
/** The floating address `lab up` gives two lbs (LAB_NETWORK.vip). */
const VIP = '198.18.0.10';
type Name = keyof typeof address;
type Db = 'db1' | 'db2' | 'db3';
type Lb = 'lb1' | 'lb2';
const LBS: readonly Lb[] = ['lb1', 'lb2'];
const DBS: readonly Db[] = ['db1', 'db2', 'db3'];
const HOST_STATE = '/var/lib/webstack';
const root = fileURLToPath(new URL('../..', import.meta.url));
const hostPaths = statePaths(HOST_STATE);

interface StatusJson {
  healthy: boolean;
  vip?: { address: string; holders: string[] };
  hosts: {
    host: string;
    status: {
      running: boolean;
      healthy?: boolean;
      release?: string | null;
      components?: { name: string; healthy: boolean; pid: number | null; detail: string | null }[];
    };
  }[];
}

interface Row extends PhaseReport {
  missing: number;
  rejoin: string;
  recoveryMs: number;
}

describe('the full topology: two lbs sharing an address, two app hosts, three Galera nodes; any one host may die', {
  timeout: 2_400_000,
}, () => {
  const parent = mkdtempSync('/var/lib/webstack-topology-e2e-');
  const dir = join(parent, 'lab');
  const inventory = join(dir, 'lab.json');
  const lab = (...args: string[]) => cli(['lab', ...args, '--dir', dir], { timeoutMs: 120_000 });
  const webstack = (args: readonly string[]) =>
    cli(['--config', inventory, ...args], { timeoutMs: 1_200_000 });
  const onMachine = (name: Name, path: string) =>
    join(dir, 'hosts', name, 'var-lib-webstack', path.slice(HOST_STATE.length + 1));
  /** SQL on a node over its own unix socket (the host's state directory is a directory of this machine). */
  const sql = (name: Db, query: string) =>
    exec('mariadb', [`--socket=${onMachine(name, hostPaths.mariadb.socket)}`, '-N', '-B', '-e', query]);
  const ssh = (to: Name, argv: readonly string[]) =>
    exec('ssh', [
      '-i',
      join(dir, 'id_ed25519'),
      '-o',
      'BatchMode=yes',
      '-o',
      `UserKnownHostsFile=${join(dir, 'known_hosts')}`,
      `root@${address[to]}`,
      argv.join(' '),
    ]);
  let releaseLab: (() => Promise<void>) | undefined;
  let keepLabOnSignal: (() => void) | undefined;
  let load: Load | undefined;
  const rows: Row[] = [];

  const status = async (): Promise<StatusJson> => JSON.parse((await webstack(['status', '--json'])).stdout);
  const mariadbOf = (current: StatusJson, name: Db) =>
    current.hosts.find((h) => h.host === name)?.status.components?.find((c) => c.name === 'mariadb');
  /** Every node Synced in one primary component of three, as the db hosts' supervisors see it. */
  const clusterWhole = async () => {
    const current = await status();
    return DBS.every((name) => {
      const db = mariadbOf(current, name);
      return db?.healthy === true && db.detail === 'Synced, Primary component of 3';
    });
  };
  /** The node HAProxy on app1 sends the site to (its stick table's entry). */
  const writer = async (): Promise<Db> => {
    const table = await ssh('app1', [
      'echo',
      '"show table galera"',
      '|',
      'socat',
      '-',
      `UNIX-CONNECT:${hostPaths.run}/haproxy/admin.sock`,
    ]);
    const name = /server_key=(db\d)/.exec(table.stdout)?.[1];
    assert.ok(name && (DBS as readonly string[]).includes(name), table.stdout + table.stderr);
    return name as Db;
  };
  /** Acknowledged writes (before the call) that NODE lacks. */
  const missingOn = async (name: Db, running: Load) => {
    const acknowledged = [...running.acknowledged];
    const stored = await sql(
      name,
      `SELECT title FROM foobar.articles WHERE title LIKE 'chaos ${process.pid} write %'`,
    );
    assert.equal(stored.code, 0, stored.stderr);
    const titles = new Set(stored.stdout.trim().split('\n'));
    return acknowledged.filter((title) => !titles.has(title)).length;
  };
  const missingAnywhere = async (running: Load) => {
    let missing = 0;
    for (const name of DBS) missing += await missingOn(name, running);
    return missing;
  };
  const logSize = (name: Db) => statSync(onMachine(name, hostPaths.mariadb.log)).size;
  /** How NODE last rejoined, from its error log since OFFSET: by IST or by a full SST. */
  const rejoinedBy = (name: Db, offset: number) => {
    const log = readFileSync(onMachine(name, hostPaths.mariadb.log), 'utf8').slice(offset);
    // A joiner always asks for "SST/IST"; only a full copy is prepared by mariabackup on arrival.
    if (/Preparing the backup at/.test(log)) return 'SST';
    if (/IST received|Receiving IST/.test(log)) return 'IST';
    return 'none';
  };

  /** Whether LB's interfaces hold the floating address (asked in its namespace, without SSH). */
  const holds = async (lb: Lb) =>
    (await exec('ip', ['-n', lb, '-o', '-4', 'addr', 'show', 'to', VIP])).stdout.includes(VIP);
  /** Chromium reaches www.foobar.com at the floating address, by name, and follows a link. */
  const browse = () => browseSite(VIP);

  before(async () => {
    releaseLab = await holdLab();
    keepLabOnSignal = removeLabOnSignal(dir, parent);
    const up = await lab('up', '--lb', '2', '--app', '2', '--db', '3');
    assert.equal(up.code, 0, up.stderr + up.stdout);
  });

  after(async () => {
    keepLabOnSignal?.();
    await load?.stop();
    if (rows.length > 0) {
      console.log(
        'phase | requests | failures | longest gap | longest gap between acknowledged writes | acknowledged writes missing | rejoin | recovery',
      );
      for (const r of rows)
        console.log(
          `${r.phase} | ${r.requests} | ${JSON.stringify(r.failures)} | ${r.longestGapMs} ms | ${r.longestWriteGapMs} ms | ${r.missing} | ${r.rejoin} | ${r.recoveryMs} ms`,
        );
    }
    // The db hosts' logs outlive the lab, for a failure's post-mortem (artifacts/ is gitignored).
    const kept = join(root, 'artifacts', 'topology');
    await mkdir(kept, { recursive: true });
    for (const name of Object.keys(address) as Name[])
      for (const [file, as] of [
        [hostPaths.mariadb.log, 'mariadb.log'],
        [hostPaths.supervisorLog, 'webstack.log'],
        [hostPaths.app.log, 'app.log'],
        [join(hostPaths.logs, 'keepalived.log'), 'keepalived.log'],
      ] as const)
        await cp(onMachine(name, file), join(kept, `${name}-${as}`)).catch(() => {});
    await lab('down');
    await rm(parent, { recursive: true, force: true });
    await releaseLab?.();
  });

  test('up forms the cluster: three nodes Synced, replication over TLS, each app host behind its HAProxy', async () => {
    const up = await webstack(['up']);
    assert.equal(up.code, 0, up.stderr + up.stdout);
    assert.match(up.stdout, /db1\s+galera: no primary component runs; bootstrapping from this node/);
    assert.ok(await clusterWhole(), up.stdout);
    const current = await status();
    assert.equal(current.healthy, true, JSON.stringify(current));
    for (const app of ['app1', 'app2'])
      assert.deepEqual(
        current.hosts.find((h) => h.host === app)?.status.components?.map((c) => c.name),
        ['haproxy', 'appserver'],
      );
    // The front: both lbs run Nginx and keepalived; the first of the inventory holds the address.
    for (const lb of LBS)
      assert.deepEqual(
        current.hosts.find((h) => h.host === lb)?.status.components?.map((c) => c.name),
        ['nginx', 'keepalived'],
      );
    assert.deepEqual(current.vip, { address: VIP, holders: ['lb1'] });
    assert.equal(await holds('lb1'), true);
    assert.equal(await holds('lb2'), false);
    const shown = await webstack(['status']);
    assert.match(shown.stdout, new RegExp(`floating address ${VIP.replaceAll('.', '\\.')}: held by lb1`));
    const doctor = await webstack(['doctor']);
    assert.match(
      doctor.stdout,
      new RegExp(`ok +floating address: ${VIP.replaceAll('.', '\\.')} is held by lb1`),
    );
    assert.match(doctor.stdout, /ok +lb2: firewall: VRRP: only from their peers/);
    // Each lb takes VRRP only from the other (VRRPv3 has no authentication).
    const table = await exec('ip', [
      'netns',
      'exec',
      'lb2',
      'nft',
      'list',
      'set',
      'inet',
      'webstack',
      'vrrp_v4',
    ]);
    assert.match(table.stdout, new RegExp(`elements = \\{ ${address.lb1.replaceAll('.', '\\.')} \\}`));
    // The zone's records point at the floating address.
    const zone = readFileSync(onMachine('lb2', `${HOST_STATE}/dns/db.foobar.com`), 'utf8');
    assert.match(zone, new RegExp(`^www\\s+IN\\s+A\\s+${VIP.replaceAll('.', '\\.')}$`, 'm'));
    const variables = await sql(
      'db2',
      "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('wsrep_on', 'binlog_format', 'innodb_autoinc_lock_mode', 'wsrep_sst_method', 'wsrep_mode', 'wsrep_cluster_address')",
    );
    assert.equal(variables.code, 0, variables.stderr);
    const has = Object.fromEntries(
      variables.stdout
        .trim()
        .split('\n')
        .map((line) => line.split('\t')),
    );
    assert.deepEqual(has, {
      binlog_format: 'ROW',
      innodb_autoinc_lock_mode: '2',
      wsrep_cluster_address: `gcomm://${address.db1}:4567,${address.db2}:4567,${address.db3}:4567`,
      wsrep_mode: 'REQUIRED_PRIMARY_KEY',
      wsrep_on: 'ON',
      wsrep_sst_method: 'mariabackup',
    });
    const provider = await sql('db3', "SELECT @@wsrep_provider_options LIKE '%socket.ssl = YES%'");
    assert.equal(provider.stdout.trim(), '1', 'replication travels over TLS');
    // The SST account holds what a hot backup needs, and nothing on the site's data.
    const grants = await sql('db1', "SHOW GRANTS FOR 'webstack_sst'@'localhost'");
    assert.match(
      grants.stdout,
      /GRANT RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR ON \*\.\* TO `webstack_sst`@`localhost`/,
    );
    assert.doesNotMatch(grants.stdout, /foobar/);
    // Every table of the site has a primary key (the cluster refuses writes to one without).
    const keyless = await sql(
      'db1',
      "SELECT t.TABLE_NAME FROM information_schema.TABLES t LEFT JOIN information_schema.TABLE_CONSTRAINTS c ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME AND c.CONSTRAINT_TYPE = 'PRIMARY KEY' WHERE t.TABLE_SCHEMA = 'foobar' AND c.CONSTRAINT_NAME IS NULL",
    );
    assert.equal(keyless.stdout.trim(), '', keyless.stderr);
    // The node's config holds the SST password: mysql's alone.
    assert.equal(statSync(onMachine('db1', hostPaths.mariadb.config)).mode & 0o777, 0o600);
    // Galera's ports and MariaDB's take no connection from outside the cluster (this machine is outside).
    for (const port of [4567, 4444, 3307])
      assert.equal(await tcpOutcome(address.db1, port), 'timeout', String(port));
    // The app hosts reach the agent and MariaDB; the lb reaches neither.
    const fromApp = await ssh('app1', [
      'curl',
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `http://${address.db2}:9200/`,
    ]);
    assert.equal(fromApp.stdout, '200');
    const fromLb = await ssh('lb1', [
      'curl',
      '-s',
      '-m',
      '2',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `http://${address.db2}:9200/`,
    ]);
    assert.equal(fromLb.stdout, '000');
    // A running cluster is never bootstrapped again: that would be a second primary component.
    const twice = await webstack(['db', 'bootstrap', '--from', 'db3']);
    assert.equal(twice.code, 1);
    assert.match(
      twice.stderr,
      /^error GALERA_NOT_WAITING: db3: node db3 is synced, not waiting to bootstrap\nfix: .+\n$/,
    );
  });

  test('under load through the floating address: one host at a time loses power (app, db writer, db backup, each lb), a rolling deploy, then a killed writer, a partition, every db host down, a rolling restart; no acknowledged write lost', async () => {
    const added = await webstack(['user', 'add', '--email', 'galera@example.com', '--role', 'admin']);
    assert.equal(added.code, 0, added.stderr);
    const session = await apiLogin(
      { address: VIP, port: 80 },
      'galera@example.com',
      shownPassword(added.stdout),
    );
    load = new Load({
      address: VIP,
      port: 80,
      host: 'www.foobar.com',
      readers: 2,
      readPaths: ['/', '/articles', '/api/v1/articles', '/products'],
      pauseMs: 25,
      ...session,
      // About 50 requests a second for the ~20 minutes of phases (a slow CI run took the load past
      // 60 000 in its last phase): the bounds only guard against a load left running.
      maxRequests: 250_000,
      maxMs: 45 * 60_000,
    });
    const running = load;
    running.start();
    const answered = (phase: string, since: number, gets: number, posts: number) =>
      running.answered(phase, since, gets, posts, 180_000);
    await answered('warm-up', 0, 30, 5);
    /** Runs one phase: DISTURB, then until RECOVERED; the report row, checked against the rules. */
    const phase = async (
      name: string,
      disturb: () => Promise<void>,
      recovered: () => Promise<{ rejoin: string }>,
      rules: {
        writesFailOnlyAs503: boolean;
        noFailure?: boolean;
        getsMayFail?: boolean;
        /** An lb's loss: a request fails only for want of a connection, never with an HTTP error. */
        connectionErrorsOnly?: boolean;
      },
    ) => {
      running.phase = name;
      const from = Date.now();
      await disturb();
      const { rejoin } = await recovered();
      const recoveryMs = Date.now() - from;
      await answered(name, Date.now(), 20, 5);
      running.phase = 'between';
      const report = reportPhase(running.samples, name, from, Date.now());
      const row = { ...report, missing: await missingAnywhere(running), rejoin, recoveryMs };
      rows.push(row);
      console.log(JSON.stringify(row));
      if (!rules.getsMayFail)
        assert.equal(row.failedGets, 0, `${name}: no failed GET: ${JSON.stringify(row)}`);
      assert.equal(row.missing, 0, `${name}: no acknowledged write missing`);
      const failed = running.samples.filter((s) => s.phase === name && (s.status < 200 || s.status >= 400));
      if (rules.noFailure) assert.deepEqual(failed.slice(0, 3), [], `${name}: no failure`);
      if (rules.connectionErrorsOnly)
        assert.deepEqual(
          failed.filter((s) => s.status !== 0).slice(0, 3),
          [],
          `${name}: only connection errors`,
        );
      if (rules.writesFailOnlyAs503)
        assert.deepEqual(
          failed.filter((s) => s.status !== 503).slice(0, 3),
          [],
          `${name}: writes fail only as 503`,
        );
      return row;
    };
    const pidOf = async (name: Db) => mariadbOf(await status(), name)?.pid ?? null;
    const rejoined = async (name: Db, offset: number) => {
      await waitFor(clusterWhole, {
        what: 'every node Synced in a primary component of 3',
        timeoutMs: 600_000,
      });
      return { rejoin: `${name} by ${rejoinedBy(name, offset)}` };
    };

    const healthy = async () => (await status()).healthy;
    const rebooted = async (name: Name) => {
      await waitFor(healthy, { what: `every host healthy after ${name}'s reboot`, timeoutMs: 600_000 });
      return { rejoin: `${name} back` };
    };

    // 1. An app host: the lbs send its share to the other; after its reboot it serves again.
    await phase(
      '1 power loss of app1, then its reboot',
      async () => {
        assert.equal((await lab('crash', 'app1')).code, 0);
        await answered('1 power loss of app1, then its reboot', Date.now(), 40, 5);
        assert.equal((await lab('start', 'app1')).code, 0);
      },
      () => rebooted('app1'),
      { writesFailOnlyAs503: false },
    );

    // 2. The db writer's host: HAProxy moves the site to the next node; the node rejoins by IST.
    const second = await writer();
    let offset = logSize(second);
    await phase(
      `2 power loss of the db writer ${second}, then its reboot`,
      async () => {
        assert.equal((await lab('crash', second)).code, 0);
        await waitFor(async () => (await writer()) !== second, {
          what: 'HAProxy to move the writer',
          timeoutMs: 60_000,
        });
        assert.equal((await lab('start', second)).code, 0);
      },
      () => rejoined(second, offset),
      { writesFailOnlyAs503: true },
    );

    // 3. A db node that takes no writes: no read fails, and nothing acknowledged is lost. A write
    // being certified as the node vanishes may wait on the cluster's view change and answer 503
    // (outcome unknown, never replayed): seen once in CI in ~4,000 requests.
    const busy = await writer();
    // Neither the writer nor the node that just came back.
    const backup = DBS.find((name) => name !== busy && name !== second) ?? 'db3';
    offset = logSize(backup);
    await phase(
      `3 power loss of the db backup node ${backup}, then its reboot`,
      async () => {
        assert.equal((await lab('crash', backup)).code, 0);
        await answered(`3 power loss of the db backup node ${backup}, then its reboot`, Date.now(), 40, 5);
        assert.equal((await lab('start', backup)).code, 0);
      },
      () => rejoined(backup, offset),
      { writesFailOnlyAs503: true },
    );

    // 4 and 5. The lb holding the address, then the other: keepalived on the survivor takes it.
    await browse();
    for (const step of [4, 5]) {
      const holder = (await status()).vip?.holders[0] as Lb | undefined;
      assert.ok(holder && LBS.includes(holder), 'one lb holds the address');
      const other = LBS.find((lb) => lb !== holder) ?? 'lb2';
      const name = `${step} power loss of the lb ${step === 4 ? 'holding the address' : 'that took it'} (${holder}), then its reboot`;
      let moveMs = 0;
      let movedAt = 0;
      await phase(
        name,
        async () => {
          // In this process, so the stopwatch starts as the links go down (not with a CLI's start-up).
          const lost = Date.now();
          const [, moved] = await Promise.all([
            labCrash({ dir, name: holder }),
            waitFor(() => holds(other), {
              what: `${other} to take ${VIP}`,
              timeoutMs: 30_000,
              intervalMs: 20,
            }).then(() => Date.now()),
          ]);
          movedAt = moved;
          moveMs = moved - lost;
          await answered(name, Date.now(), 40, 5);
          await browse();
          assert.equal((await lab('start', holder)).code, 0);
        },
        async () => {
          await rebooted(holder);
          // No preemption: the rebooted lb stands by; the address stays where it moved.
          assert.deepEqual((await status()).vip?.holders, [other]);
          return {
            rejoin: `${VIP} on ${other} ${moveMs} ms after the power loss; ${holder} back, standing by`,
          };
        },
        { writesFailOnlyAs503: false, getsMayFail: true, connectionErrorsOnly: true },
      );
      // Failures only while the address moves: no request sent once the other lb held it failed
      // (250 ms: how late this machine may see the address, polled through `ip` every 20 ms).
      const late = running.samples.filter(
        (s) => s.phase === name && s.status === 0 && s.endedAt - s.ms > movedAt + 250,
      );
      assert.deepEqual(late.slice(0, 3), [], `${name}: a request sent after the move failed`);
    }

    // 6. A rolling deploy through both lbs: not one failed request.
    const source = join(parent, 'next');
    for (const item of ['dist', 'package.json', 'package-lock.json'])
      await cp(join(root, item), join(source, item), { recursive: true });
    const old = (await status()).hosts.find((h) => h.host === 'app1')?.status;
    await phase(
      '6 rolling deploy',
      async () => {
        const deploy = await webstack(['deploy', source, '--no-build']);
        assert.equal(deploy.code, 0, deploy.stderr + deploy.stdout);
      },
      async () => {
        const after = await status();
        const releases = new Set(after.hosts.map((h) => h.status.release));
        assert.equal(releases.size, 1, JSON.stringify([...releases]));
        assert.notEqual([...releases][0], old?.release);
        return { rejoin: 'every host on the new release' };
      },
      { writesFailOnlyAs503: false, noFailure: true },
    );

    // (a) SIGKILL the writer's mariadbd: HAProxy moves the site to the next node; the supervisor
    // restarts the killed one from its recovered position, and it catches up by IST.
    const first = await writer();
    const pid = await pidOf(first);
    assert.ok(pid, 'the writer’s mariadbd pid');
    offset = logSize(first);
    await phase(
      `(a) SIGKILL mariadbd on the writer (${first})`,
      async () => {
        process.kill(pid, 'SIGKILL');
        await waitFor(async () => (await writer()) !== first, {
          what: 'HAProxy to move the writer',
          timeoutMs: 60_000,
        });
      },
      () => rejoined(first, offset),
      { writesFailOnlyAs503: true },
    );
    assert.equal(rows.at(-1)?.rejoin, `${first} by IST`);

    // (c) A node cut off the network: it leaves the primary component and takes no write.
    const current = await writer();
    const isolated = DBS.find((name) => name !== current) ?? 'db3';
    offset = logSize(isolated);
    await phase(
      `(c) ${isolated} isolated, then healed`,
      async () => {
        assert.equal((await lab('isolate', isolated)).code, 0);
        await waitFor(
          async () =>
            (await sql(isolated, "SHOW STATUS LIKE 'wsrep_cluster_status'")).stdout.includes('non-Primary'),
          { what: `${isolated} to leave the primary component`, timeoutMs: 60_000 },
        );
        const refused = await sql(isolated, "INSERT INTO foobar.articles (title) VALUES ('split brain')");
        assert.notEqual(refused.code, 0, 'a write on a node outside the primary component is refused');
        assert.match(refused.stderr, /WSREP has not yet prepared node|1047/);
        assert.equal((await lab('heal', isolated)).code, 0);
      },
      () => rejoined(isolated, offset),
      { writesFailOnlyAs503: true },
    );

    // (d) Every db host loses power; they reboot, and `webstack up` alone brings the cluster back
    // from the most advanced node.
    const offsets = Object.fromEntries(DBS.map((name) => [name, logSize(name)]));
    let upOutput = '';
    const all = await phase(
      '(d) power loss of every db host, reboot, webstack up',
      async () => {
        for (const name of DBS) assert.equal((await lab('crash', name)).code, 0);
        for (const name of DBS) assert.equal((await lab('start', name)).code, 0);
        const up = await webstack(['up']);
        upOutput = up.stdout;
        assert.equal(up.code, 0, up.stderr + up.stdout);
      },
      async () => {
        await waitFor(clusterWhole, { what: 'the cluster whole again', timeoutMs: 600_000 });
        const how = DBS.map((name) => `${name} ${rejoinedBy(name, offsets[name] ?? 0)}`).join(', ');
        return { rejoin: how };
      },
      // The whole database is gone for a while: reads may fail too (past the cache); writes never 5xx but 503.
      { writesFailOnlyAs503: false, getsMayFail: true },
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n${upOutput}`);
    });
    assert.match(upOutput, /bootstrapping from this node/);
    assert.equal(all.missing, 0);

    // (e) A rolling restart under load: not one failed request.
    const restarts = Object.fromEntries(DBS.map((name) => [name, logSize(name)]));
    await phase(
      '(e) db restart --rolling',
      async () => {
        const rolled = await webstack(['db', 'restart', '--rolling']);
        assert.equal(rolled.code, 0, rolled.stderr + rolled.stdout);
        assert.match(rolled.stdout, /restarted db1 .*db2 .*db3 .*every node Synced/);
      },
      async () => ({
        rejoin: DBS.map((name) => `${name} ${rejoinedBy(name, restarts[name] ?? 0)}`).join(', '),
      }),
      { writesFailOnlyAs503: true, noFailure: true },
    );
    await running.stop();
    load = undefined;
  });

  test('backup from a Synced node; restore loads it into the cluster, and every node holds its rows', async () => {
    // Quiet: the counts below are the archive's (a load left by a failed test above stops first).
    await load?.stop();
    load = undefined;
    const count = async (name: Db) =>
      Number((await sql(name, 'SELECT COUNT(*) FROM foobar.articles')).stdout.trim());
    const before = await count('db1');
    assert.ok(before > 0);
    const backup = await webstack(['backup']);
    assert.equal(backup.code, 0, backup.stderr + backup.stdout);
    const local = /^copied here: (\S+)/m.exec(backup.stdout)?.[1];
    assert.ok(local, backup.stdout);
    // A change after the backup, replicated everywhere, that the restore takes back.
    const removed = await sql(
      'db2',
      "DELETE FROM foobar.articles WHERE title LIKE 'chaos % write %' LIMIT 5",
    );
    assert.equal(removed.code, 0, removed.stderr);
    await waitFor(async () => (await count('db3')) === before - 5, {
      what: 'the delete on every node',
      timeoutMs: 30_000,
    });
    const restored = await webstack(['restore', local]);
    assert.equal(restored.code, 0, restored.stderr + restored.stdout);
    for (const name of DBS)
      await waitFor(async () => (await count(name)) === before, {
        what: `${name} to hold the archive's rows`,
        timeoutMs: 60_000,
      });
    assert.ok(await clusterWhole());
  });
});
