import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WebstackError } from '../core/errors.js';
import { localHost } from '../host/local.js';
import {
  createHostNamespaces,
  inHost,
  inNetnsOnly,
  ip,
  killAll,
  MINIMAL_ENV,
  mount,
  netnsPath,
  parsePids,
  setHostname,
  sshd,
  sshdTest,
  sshKeygen,
  sysctl,
} from './commands.js';
import { attempt, pollUntil } from './exec.js';
import { HOST_PRIVATE_MOUNTS, type LabHostPaths, type LabPaths } from './paths.js';
import { tcpAnswers } from './probe.js';
import { renderSshdConfig } from './sshd-config.js';
import type { LabHostState } from './state.js';
import type { LabHostPlan } from './topology.js';

/**
 * The host's network namespace, and its one persistent mount and UTS namespace: every daemon the
 * lab starts there later enters the same pair, so they all see the same bind mounts and hostname.
 */
export async function createHostNamespacesAndMounts(host: LabHostPlan, paths: LabHostPaths): Promise<void> {
  await localHost.run(ip.netnsAdd(host.name));
  // Before eth0 exists, so that it starts with IPv6 off (the default applies to new links).
  await localHost.run(inNetnsOnly(host.name, sysctl.ipv6Off(['all', 'default'])));
  for (const dir of [paths.dir, paths.state, paths.run, join(paths.run, 'sshd'), paths.home])
    await localHost.mkdir(dir, { mode: 0o755 });
  await localHost.writeAtomic(paths.mntNs, '', { mode: 0o600 });
  await localHost.writeAtomic(paths.utsNs, '', { mode: 0o600 });
  await localHost.run(createHostNamespaces(host.name, paths));
  const inside = (argv: Parameters<typeof inHost>[2]) => localHost.run(inHost(host.name, paths, argv));
  await inside(mount.unmountInheritedNamespaces());
  // /sys shows the network devices of the namespace that mounts it: the host's, not the machine's.
  await inside(mount.lazyUnmount('/sys'));
  await inside(mount.sysfs());
  await inside(setHostname(host.name));
  await inside(mount.bind(paths.state, HOST_PRIVATE_MOUNTS.state));
  await inside(mount.bind(paths.run, HOST_PRIVATE_MOUNTS.run));
  await inside(mount.bind(paths.home, HOST_PRIVATE_MOUNTS.home));
}

/** The host's sshd: its own host key and config; the operator's key is the only one it accepts. */
export async function writeSshd(host: LabHostPlan, paths: LabHostPaths, lab: LabPaths): Promise<string> {
  await localHost.remove(paths.hostKey);
  await localHost.remove(`${paths.hostKey}.pub`);
  await localHost.run(sshKeygen(paths.hostKey, `webstack-lab ${host.name}`));
  await localHost.writeAtomic(paths.authorizedKeys, await readFile(`${lab.operatorKey}.pub`), {
    mode: 0o600,
  });
  await localHost.writeAtomic(paths.sshdConfig, renderSshdConfig(host.address, paths), { mode: 0o644 });
  await localHost.run(inHost(host.name, paths, sshdTest(paths)), { env: MINIMAL_ENV });
  return await readFile(`${paths.hostKey}.pub`, 'utf8');
}

/**
 * What a lab host runs after it boots, in order, as install-service arranges on a real host.
 * Each entry is one long-running daemon inside the host's namespaces. `webstack daemon` joins
 * this list once the stack runs on lab hosts (issue 12: "then sshd, then `webstack daemon`").
 */
export const BOOT_SERVICES: readonly BootService[] = [
  {
    name: 'sshd',
    argv: async (paths) => sshd(paths),
    ready: (host) => pollUntil(() => tcpAnswers(host.address, 22, 500), 15_000),
    log: (paths) => paths.sshdLog,
  },
  {
    // Once `webstack up` has run there: the host's supervisor, which brings its components back.
    name: 'webstack',
    argv: async (paths) => (await webstackBootEntry(paths))?.argv ?? null,
    ready: async () => true,
    log: (paths) => join(paths.state, 'logs', 'webstack.log'),
    output: true,
  },
];

interface BootService {
  name: string;
  /** What to run; null when the host has nothing of this service to start. */
  argv(paths: LabHostPaths): Promise<Parameters<typeof inHost>[2] | null>;
  /** Resolves true once the daemon serves. */
  ready(host: LabHostPlan): Promise<boolean>;
  log(paths: LabHostPaths): string;
  /** The daemon's output goes to its log (sshd writes its own with -E). */
  output?: boolean;
}

/** What `webstack up` left in the host's state directory for its init: the supervisor's argv. */
async function webstackBootEntry(
  paths: LabHostPaths,
): Promise<{ argv: Parameters<typeof inHost>[2] } | null> {
  const text = await readFile(join(paths.state, 'boot.json'), 'utf8').catch(() => null);
  if (text === null) return null;
  const entry = JSON.parse(text) as { argv?: unknown };
  const argv = entry.argv;
  if (!Array.isArray(argv) || argv.length === 0 || !argv.every((word) => typeof word === 'string'))
    return null;
  return { argv: argv as unknown as Parameters<typeof inHost>[2] };
}

/** Starts the boot services; returns their PIDs (nsenter execs the daemon: same PID). */
export async function bootServices(host: LabHostState, paths: LabHostPaths): Promise<Record<string, number>> {
  const pids: Record<string, number> = {};
  for (const service of BOOT_SERVICES) {
    const argv = await service.argv(paths);
    if (argv === null) continue;
    if (service.output) await localHost.mkdir(dirname(service.log(paths)), { mode: 0o755 });
    const child = localHost.start(inHost(host.name, paths, argv), {
      detached: true,
      ...(service.output ? { outputFile: service.log(paths) } : { stdio: 'ignore' as const }),
      env: MINIMAL_ENV,
    });
    child.unref();
    const pid = child.pid;
    if (pid === undefined || !(await service.ready(host)) || !(await localHost.isAlive(pid))) {
      const log = await readFile(service.log(paths), 'utf8').catch(() => '');
      const last = log.trim().split('\n').slice(-1)[0] ?? '';
      throw new WebstackError(
        'LAB_BOOT_FAILED',
        service.name,
        host.name,
        last ? `: ${last}` : '',
        service.log(paths),
      );
    }
    pids[service.name] = pid;
  }
  return pids;
}

/** A reboot empties /run (a tmpfs on a real host): PID files and sockets of the last boot go. */
export async function clearRun(paths: LabHostPaths): Promise<void> {
  for (const entry of await readdir(paths.run)) await localHost.remove(join(paths.run, entry));
  await localHost.mkdir(join(paths.run, 'sshd'), { mode: 0o755 });
}

/** Every process in the host's network namespace, as `ip netns pids` lists them. */
export async function hostPids(name: string): Promise<number[]> {
  try {
    return parsePids((await localHost.run(ip.netnsPids(name), { timeoutMs: 10_000 })).stdout);
  } catch {
    return [];
  }
}

/**
 * A PID the lab recorded is still the lab's when the process is in the host's network namespace
 * (a reused PID of some other process is not).
 */
async function stillInHost(pid: number, name: string): Promise<boolean> {
  try {
    const [link, ns] = await Promise.all([readlink(`/proc/${pid}/ns/net`), stat(netnsPath(name))]);
    return link === `net:[${ns.ino}]`;
  } catch {
    return false;
  }
}

/**
 * SIGKILL for every process of the host; polls until they are gone (PID 1 reaps them late). A
 * process can fork between the listing and the kill (nginx's master respawns a worker that died
 * a moment before it): each poll kills whatever of the host is still listed.
 */
export async function killHost(host: LabHostState): Promise<number[]> {
  const recorded = [];
  for (const pid of Object.values(host.pids)) if (await stillInHost(pid, host.name)) recorded.push(pid);
  const pids = [...new Set([...(await hostPids(host.name)), ...recorded])];
  if (pids.length > 0) await localHost.run(killAll(pids), { okCodes: [0, 1] });
  const gone = await pollUntil(
    async () => {
      const left = await hostPids(host.name);
      if (left.length > 0) await localHost.run(killAll(left), { okCodes: [0, 1] });
      return (
        left.length === 0 &&
        (await Promise.all(pids.map((pid) => localHost.isAlive(pid)))).every((alive) => !alive)
      );
    },
    20_000,
    100,
  );
  if (!gone)
    throw new WebstackError('LAB_KILL_TIMEOUT', host.name, (await hostPids(host.name)).join(' '), host.name);
  return pids;
}

/** The host's namespaces; what is already gone is fine. Mounts under the lab directory go first. */
export async function removeHostNamespaces(name: string): Promise<void> {
  await attempt(ip.netnsDelete(name));
}
