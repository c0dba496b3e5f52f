import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import * as systemctl from '../components/systemd/commands.js';
import { renderSystemdUnit } from '../components/systemd/unit.js';
import { type CaFiles, ensureCa, issueCertificate } from '../components/tls/ca.js';
import type { ResolvedConfig } from '../core/config/load.js';
import { WebstackError } from '../core/errors.js';
import { ensureSecrets } from '../core/secrets.js';
import { localHost } from '../host/index.js';
import { ensurePackages } from '../operations/install/install.js';
import { activateRelease, createRelease, currentRelease } from '../operations/release/release.js';
import { waitForGalera } from './galera.js';
import {
  type ClusterHost,
  connectHosts,
  disconnect,
  type HostLayout,
  hostLayout,
  type OperatorPaths,
  onEvery,
  operatorPaths,
  remoteWebstack,
} from './hosts.js';
import { startSequence } from './plan.js';
import { remoteControl, remoteStatus } from './remote.js';
import { packRelease, shipRelease, shipRuntime } from './ship.js';

/** The checkout this webstack runs from: the source of a cluster's first release. */
const checkout = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** How long one host may take to become healthy (a first MariaDB start and migration included). */
const HOST_TIMEOUT_MS = 600_000;

export interface ClusterUpOptions {
  seed: boolean;
  log: (host: string, line: string) => void;
}

/**
 * `webstack up` across the inventory, from the operator's machine:
 * 1. reach every host over SSH and check it can run webstack, before anything changes;
 * 2. build the release once here (or reuse the one the cluster runs);
 * 3. on every host at once: install the Debian packages, ship the Node.js runtime and the release
 *    (checksums verified on arrival), write the host's config and the shared secrets (0600);
 * 4. start each host's own supervisor, db hosts first, then app, then lb, each healthy before
 *    the next tier starts.
 * A host already up is left as it is: `up` is safe to run again.
 */
export async function clusterUp(config: ResolvedConfig, options: ClusterUpOptions): Promise<ClusterHost[]> {
  const operator = operatorPaths(config);
  await localHost.mkdir(operator.dir, { mode: 0o700 });
  const hosts = connectHosts(config, operator);
  const layout = hostLayout(config);
  try {
    await onEvery(hosts, (host) => preflight(host));
    const pair = await readHttpsPair(config);
    const secrets = JSON.stringify(await ensureSecrets(localHost, operator.secrets), null, 2);
    // The cluster's own CA, kept here: MariaDB's certificates are issued by it, app hosts trust it.
    const ca = await ensureCa(localHost, join(operator.dir, 'ca'));
    const release = await operatorRelease(operator, (line) => options.log('build', line));
    await packRelease(operator, release);
    const raw = JSON.parse((await localHost.readText(config.file ?? '')) ?? '{}') as Record<string, unknown>;
    /** The hosts whose systemd runs webstack. */
    const systemd = new Set<string>();
    await onEvery(hosts, async (host) => {
      const say = (line: string) => options.log(host.name, line);
      await host.ssh.mkdir(config.stateDir, { mode: 0o755 });
      const installed = await ensurePackages(host.ssh, {
        withTestTools: false,
        extra: [
          ...(host.plan.components.includes('haproxy') ? ['haproxy'] : []),
          // keepalived checks its Nginx with curl.
          ...(host.plan.components.includes('keepalived') ? ['keepalived', 'curl'] : []),
        ],
        log: say,
      });
      if (installed.length > 0) say(`installed ${installed.join(', ')}`);
      if (await shipRuntime(host.ssh, layout)) say(`shipped Node.js ${process.version}`);
      if (await shipRelease(host.ssh, operator, layout, release)) say(`shipped release ${release}`);
      if ((await currentRelease(host.ssh, layout.paths)) === null)
        await activateRelease(host.ssh, layout.paths, release);
      const { operatorDir: _operatorOnly, ...shared } = raw;
      const hostConfig = { ...shared, self: host.name, ...(await shipHttpsPair(host, config, pair)) };
      await host.ssh.writeAtomic(layout.config, `${JSON.stringify(hostConfig, null, 2)}\n`, {
        mode: 0o600,
      });
      // The database passwords and the session key: only where the app or the database runs.
      if (host.plan.components.some((c) => c === 'appserver' || c === 'mariadb'))
        await host.ssh.writeAtomic(layout.paths.secrets, `${secrets}\n`, { mode: 0o600 });
      await shipTls(host, config, layout, operator, ca);
      if (await installUnit(host, layout, config)) {
        systemd.add(host.name);
        say('installed webstack.service (enabled: the host starts webstack at boot)');
      } else {
        // No systemd running there (a container, the lab): what the host's own init starts at boot.
        const boot = {
          argv: remoteWebstack(layout, ['daemon', '--no-seed']),
          log: layout.paths.supervisorLog,
        };
        await host.ssh.writeAtomic(layout.boot, `${JSON.stringify(boot)}\n`, { mode: 0o644 });
      }
    });
    const byName = new Map(hosts.map((host) => [host.name, host]));
    const dbs = hosts.filter((host) => host.plan.galera && host.plan.host.roles.includes('db'));
    if (dbs.length > 0)
      await startGalera(dbs, layout, { ...options, systemd: (host) => systemd.has(host.name) });
    for (const entry of startSequence(config.inventory)) {
      const host = byName.get(entry.name);
      if (host) await startHost(host, layout, { ...options, systemd: systemd.has(host.name) });
    }
    // An lb that was already up may still hold an app host out of its rotation, left by a deploy
    // that was killed half-way: `up` puts the whole cluster back in service.
    for (const lb of hosts.filter((host) => host.plan.host.roles.includes('lb')))
      await remoteControl(lb, layout, 'POST', '/drain', { hosts: [] });
    return hosts;
  } finally {
    await disconnect(hosts);
  }
}

/**
 * The CA's certificate onto every host; on a db host also MariaDB's certificate for the host's
 * address, issued here (the CA key never leaves this machine), its key 0600 for the mysql account.
 */
async function shipTls(
  host: ClusterHost,
  config: ResolvedConfig,
  layout: HostLayout,
  operator: OperatorPaths,
  ca: CaFiles,
): Promise<void> {
  const tls = layout.paths.tls;
  await host.ssh.mkdir(dirname(tls.caCertificate), { mode: 0o755 });
  await host.ssh.writeAtomic(tls.caCertificate, ca.pem, { mode: 0o644 });
  // A db host's MariaDB serves with it; across lbs with ACME, the lbs show it to each other when
  // the issuing lb hands its pair over (components/tls/pair-sync.ts).
  const certificates = host.plan.certificates;
  const pairPeer =
    config.https.acme !== undefined && certificates !== null && certificates.followers.length > 0;
  if (!host.plan.host.roles.includes('db') && !pairPeer) return;
  const issued = await issueCertificate(localHost, ca, {
    name: host.name,
    addresses: [host.plan.host.address],
    dir: join(operator.dir, 'certificates'),
  });
  const key = await localHost.readText(issued.key);
  if (key === null) throw new WebstackError('CLUSTER_CA_MISSING', issued.key);
  const owner = host.plan.host.roles.includes('db') ? await host.ssh.userIds('mysql') : undefined;
  await host.ssh.writeAtomic(tls.serverCertificate, issued.pem, { mode: 0o644 });
  await host.ssh.writeAtomic(tls.serverKey, key, { mode: 0o600, ...(owner ? { owner } : {}) });
}

/** The operator's own certificate and key (`https.certificate`, `https.key`: files on this machine), if named. */
async function readHttpsPair(config: ResolvedConfig): Promise<{ pem: string; key: string } | null> {
  const { certificate, key } = config.https;
  if (certificate === undefined || key === undefined) return null;
  const [pem, secret] = await Promise.all([localHost.readText(certificate), localHost.readText(key)]);
  if (pem === null || secret === null)
    throw new WebstackError('HTTPS_PAIR_UNREADABLE', pem === null ? certificate : key);
  return { pem, key: secret };
}

/**
 * That pair onto every lb host, under its state directory (the key 0600), and the host's config
 * pointing at it there.
 */
async function shipHttpsPair(
  host: ClusterHost,
  config: ResolvedConfig,
  pair: { pem: string; key: string } | null,
): Promise<{ https?: ResolvedConfig['https'] }> {
  if (pair === null) return {};
  const dir = join(config.stateDir, 'tls', 'operator');
  const shipped = { certificate: join(dir, 'fullchain.pem'), key: join(dir, 'privkey.pem') };
  if (host.plan.host.roles.includes('lb')) {
    await host.ssh.mkdir(dir, { mode: 0o755 });
    await host.ssh.writeAtomic(shipped.certificate, pair.pem, { mode: 0o644 });
    await host.ssh.writeAtomic(shipped.key, pair.key, { mode: 0o600 });
  }
  return { https: { ...config.https, ...shipped } };
}

/** Reachable over SSH, root (or password-less sudo), Debian 12 or later. */
async function preflight(host: ClusterHost): Promise<void> {
  const { stdout } = await host.ssh.run(['sh', '-c', '. /etc/os-release && echo "$ID $VERSION_ID"']);
  const [id, version] = stdout.trim().split(' ');
  if (id !== 'debian' || !(Number(version) >= 12))
    throw new WebstackError('CLUSTER_HOST_UNSUPPORTED', host.name, stdout.trim() || 'an unknown system');
  const machine = (await host.ssh.run(['uname', '-m'])).stdout.trim();
  const arch = ({ x86_64: 'x64', aarch64: 'arm64' } as Record<string, string>)[machine] ?? machine;
  if (arch !== process.arch) throw new WebstackError('CLUSTER_HOST_ARCH', host.name, machine, process.arch);
  if (!(await host.ssh.isRoot()))
    throw new WebstackError('CLUSTER_NOT_ROOT', host.name, host.plan.host.ssh?.user ?? 'the ssh user');
}

/** The release the cluster runs: the operator's current one, or a first one built from this checkout. */
async function operatorRelease(operator: OperatorPaths, log: (line: string) => void): Promise<string> {
  const current = await currentRelease(localHost, operator.state);
  if (current !== null) return current;
  for (const dir of [operator.state.root, operator.state.releases])
    await localHost.mkdir(dir, { mode: 0o755 });
  log('building the first release from this checkout');
  const id = await createRelease(localHost, operator.state, checkout, log);
  await activateRelease(localHost, operator.state, id);
  return id;
}

const UNIT = 'webstack.service';

/**
 * On a host where systemd runs: webstack's unit (the one `install-service` writes, with the shipped
 * runtime and the host's config), verified, enabled, and the distribution's nginx and MariaDB
 * units disabled, so the host brings its part of the stack back after a reboot. False elsewhere.
 */
async function installUnit(host: ClusterHost, layout: HostLayout, config: ResolvedConfig): Promise<boolean> {
  if (!(await host.ssh.exists('/run/systemd/system'))) return false;
  const unit = renderSystemdUnit({
    node: layout.node,
    webstack: layout.cli,
    configFile: layout.config,
    workingDirectory: config.stateDir,
    description: `webstack ${host.name}: ${host.plan.components.join(', ')}`,
    writablePaths: [config.stateDir],
    logFile: layout.paths.supervisorLog,
    daemonArgs: ['--no-seed'],
    firewall: true,
    vrrp: host.plan.components.includes('keepalived'),
  });
  const path = join('/etc/systemd/system', UNIT);
  await host.ssh.writeAtomic(path, unit, { mode: 0o644 });
  const verify = await host.ssh.run(systemctl.verifyUnit(path), { okCodes: [0, 1] });
  const problems = (verify.stderr + verify.stdout).split('\n').filter((line) => line.includes(path));
  if (verify.code !== 0 || problems.length > 0)
    throw new WebstackError('UNIT_INVALID', `${host.name}: ${problems.join(' | ') || verify.stderr.trim()}`);
  await host.ssh.run(systemctl.daemonReload());
  await host.ssh.run(
    systemctl.disableUnits(['nginx.service', 'mariadb.service', 'haproxy.service', 'keepalived.service']),
    {
      okCodes: [0, 1],
    },
  );
  await host.ssh.run(systemctl.enableUnits([UNIT]));
  return true;
}

/** Starts the host's supervisor unless it runs, and waits until every component of it is healthy. */
async function startHost(
  host: ClusterHost,
  layout: HostLayout,
  options: ClusterUpOptions & { systemd: boolean },
): Promise<void> {
  const say = (line: string) => options.log(host.name, line);
  const before = await remoteStatus(host, layout);
  if (before.running && before.healthy) {
    say('already up');
    return;
  }
  const offset = before.running
    ? await logOffset(host, layout)
    : await launchSupervisor(host, layout, options);
  const deadline = Date.now() + HOST_TIMEOUT_MS;
  let phase = '';
  while (Date.now() < deadline) {
    const status = await remoteStatus(host, layout);
    if (status.running && status.healthy) {
      // systemd starts `daemon --no-seed`, every time: the demo content is loaded once, here.
      if (options.systemd && options.seed && host.plan.components.includes('appserver'))
        say((await host.ssh.run(remoteWebstack(layout, ['seed']), { timeoutMs: 600_000 })).stdout.trim());
      say('healthy');
      return;
    }
    if (status.running && status.phase && status.phase !== phase) {
      phase = status.phase;
      say(phase);
    }
    await checkStartup(host, layout, offset);
    await delay(1_000);
  }
  throw new WebstackError('CLUSTER_HOST_TIMEOUT', host.name, HOST_TIMEOUT_MS / 1000, host.name);
}

async function logOffset(host: ClusterHost, layout: HostLayout): Promise<number> {
  return (await host.ssh.stat(layout.paths.supervisorLog))?.size ?? 0;
}

/** Starts the host's supervisor (systemd's unit, or detached from SSH); returns where its log stood. */
async function launchSupervisor(
  host: ClusterHost,
  layout: HostLayout,
  options: ClusterUpOptions & { systemd: boolean },
): Promise<number> {
  const logFile = layout.paths.supervisorLog;
  const offset = await logOffset(host, layout);
  await host.ssh.mkdir(layout.paths.logs, { mode: 0o755 });
  const daemon = remoteWebstack(layout, ['daemon', ...(options.seed ? [] : ['--no-seed'])]);
  if (options.systemd) await host.ssh.run(['systemctl', 'start', UNIT]);
  // Detached from the SSH session: the supervisor outlives the connection that started it.
  else
    await host.ssh.run(['setsid', '-f', 'sh', '-c', 'exec "$@" >>"$0" 2>&1 </dev/null', logFile, ...daemon]);
  options.log(host.name, `starting the supervisor (${host.plan.components.join(', ')})`);
  return offset;
}

/** Throws CLUSTER_HOST_FAILED when the supervisor's log, since OFFSET, says its start-up failed. */
async function checkStartup(host: ClusterHost, layout: HostLayout, offset: number): Promise<void> {
  const log = (await host.ssh.readText(layout.paths.supervisorLog, { offset, maxBytes: 1 << 20 })) ?? '';
  const failed = log
    .split('\n')
    .find((line) => line.includes('start-up failed: '))
    ?.replace(/^.*start-up failed: /, '');
  if (failed) throw new WebstackError('CLUSTER_HOST_FAILED', host.name, failed, host.name);
}

/**
 * The db tier of a Galera cluster: every node's supervisor started at once (each recovers its
 * position and waits), then, if no primary component runs, one bootstrapped: the most advanced
 * node, never a second primary. The others join by themselves, one at a time. Done when every
 * node is Synced in one primary component of N.
 */
async function startGalera(
  dbs: readonly ClusterHost[],
  layout: HostLayout,
  options: ClusterUpOptions & { systemd: (host: ClusterHost) => boolean },
): Promise<void> {
  const offsets = new Map<string, number>();
  await onEvery(dbs, async (host) => {
    const before = await remoteStatus(host, layout);
    offsets.set(
      host.name,
      before.running
        ? await logOffset(host, layout)
        : await launchSupervisor(host, layout, { ...options, systemd: options.systemd(host) }),
    );
  });
  await waitForGalera(dbs, layout, options, (host) =>
    checkStartup(host, layout, offsets.get(host.name) ?? 0),
  );
}
