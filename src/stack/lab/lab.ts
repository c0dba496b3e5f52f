/**
 * `webstack lab`: test hosts on this machine. Each host is a network namespace named after it,
 * with one persistent mount+UTS namespace (its hostname, its own /var/lib/webstack, /run and
 * /root), its own sshd, and a veth to one bridge that has no way out.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { WebstackError } from '../core/errors.js';
import { localHost } from '../host/local.js';
import { mount, sshKeygen } from './commands.js';
import { attempt } from './exec.js';
import {
  bootServices,
  clearRun,
  createHostNamespacesAndMounts,
  hostPids,
  killHost,
  removeHostNamespaces,
  writeSshd,
} from './host.js';
import { mountPointsUnder } from './mounts.js';
import {
  allLinksDown,
  bootNetwork,
  bridgeOwner,
  connectHost,
  createBridge,
  cutLink,
  netnsNames,
  removeNetwork,
  restoreLink,
} from './network.js';
import { HOST_PRIVATE_MOUNTS, type LabPaths, labEntries, labPaths } from './paths.js';
import { checkLabDir, requireFreshDir, requireRoot, requireTools } from './preflight.js';
import { knownHostsLine } from './sshd-config.js';
import {
  findHost,
  type LabState,
  loadLabState,
  newLabState,
  renderInventory,
  requireLabState,
  saveLabState,
} from './state.js';
import { LAB_NETWORK, type LabCounts, planHosts } from './topology.js';

export type Log = (line: string) => void;

/** Refuses a second lab, in this directory or another, and host names another namespace holds. */
async function refuseExisting(paths: LabPaths, hostNames: readonly string[]): Promise<void> {
  if ((await loadLabState(paths)) !== null) throw new WebstackError('LAB_EXISTS', paths.dir, paths.dir);
  const owner = await bridgeOwner();
  if (owner !== null)
    throw new WebstackError(
      'LAB_RUNNING',
      LAB_NETWORK.bridge,
      owner ? `, directory ${owner}` : '',
      owner || '<its directory>',
    );
  const taken = (await netnsNames()).filter((name) => hostNames.includes(name));
  if (taken.length > 0) throw new WebstackError('LAB_NAME_TAKEN', taken.join(', '), taken.join(' '));
}

export async function labUp(options: { dir: string; counts: LabCounts; log: Log }): Promise<LabState> {
  requireRoot('up');
  await requireTools();
  const hosts = planHosts(options.counts);
  const paths = labPaths(await checkLabDir(options.dir));
  await refuseExisting(
    paths,
    hosts.map((host) => host.name),
  );
  await requireFreshDir(paths.dir);
  await localHost.mkdir(paths.dir, { mode: 0o755 });
  const state = newLabState(paths.dir, hosts);
  await saveLabState(paths, state);
  try {
    await buildLab(paths, state, options.log);
  } catch (error) {
    options.log('lab up failed; removing what it created');
    // The first failure is the one to report; a failing cleanup is left to `lab down`.
    await removeLab(paths, state, () => {}).catch(() =>
      options.log(`some of it is left: \`webstack lab down --dir ${paths.dir}\` removes it`),
    );
    throw error;
  }
  return state;
}

async function buildLab(paths: LabPaths, state: LabState, log: Log): Promise<void> {
  // The mount point each host binds its own directory over; never mounted on from here.
  if (!existsSync(HOST_PRIVATE_MOUNTS.state)) {
    await localHost.mkdir(HOST_PRIVATE_MOUNTS.state, { mode: 0o755 });
    state.createdStateMountpoint = true;
    await saveLabState(paths, state);
  }
  await localHost.run(sshKeygen(paths.operatorKey, 'webstack-lab operator'));
  log(`bridge ${LAB_NETWORK.bridge} ${LAB_NETWORK.bridgeAddress}/${LAB_NETWORK.prefixLength}, no uplink`);
  await createBridge(paths.dir);
  // unshare can pin a namespace only on a private mount: make the namespace directory one.
  await localHost.mkdir(paths.nsDir, { mode: 0o700 });
  await localHost.run(mount.bind(paths.nsDir, paths.nsDir));
  await localHost.run(mount.makePrivate(paths.nsDir));
  // Hosts are independent (each new mount namespace drops the namespace mounts it inherited), so
  // they are built side by side; the state file is saved once each has its PIDs.
  // allSettled: a failed host must not start the cleanup while the others are still being built.
  const built = await Promise.allSettled(
    state.hosts.map(async (host) => {
      const hostPaths = paths.host(host.name);
      await createHostNamespacesAndMounts(host, hostPaths);
      await connectHost(host);
      const line = knownHostsLine(host.name, host.address, await writeSshd(host, hostPaths, paths));
      host.pids = await bootServices(host, hostPaths);
      log(`${host.name} ${host.address} (${host.role}): sshd up`);
      return line;
    }),
  );
  await saveLabState(paths, state);
  const failed = built.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  const knownHosts = built.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  await localHost.writeAtomic(paths.knownHosts, `${knownHosts.join('\n')}\n`, { mode: 0o644 });
  await localHost.writeAtomic(
    paths.inventory,
    `${JSON.stringify(renderInventory(state, paths), null, 2)}\n`,
    { mode: 0o644 },
  );
}

/** Removes the lab: processes, mounts, namespaces, links, its directory. Idempotent. */
async function removeLab(paths: LabPaths, state: LabState, log: Log): Promise<void> {
  await Promise.all(
    state.hosts.map(async (host) => {
      const killed = await killHost(host);
      if (killed.length > 0) log(`${host.name}: killed ${killed.join(' ')}`);
    }),
  );
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  for (const point of mountPointsUnder(mountinfo, paths.dir)) await attempt(mount.lazyUnmount(point));
  for (const host of state.hosts) await removeHostNamespaces(host.name);
  await removeNetwork(state.hosts);
  if (state.createdStateMountpoint) await attempt(['rmdir', HOST_PRIVATE_MOUNTS.state]);
  // Only what the lab wrote, then the directory if that leaves it empty: never a tree it did not make.
  for (const entry of labEntries(paths)) await localHost.remove(entry);
  await attempt(['rmdir', paths.dir]);
}

export async function labDown(options: { dir: string; log: Log }): Promise<boolean> {
  requireRoot('down');
  const paths = labPaths(await checkLabDir(options.dir));
  const state = await loadLabState(paths);
  if (state === null) return false;
  await removeLab(paths, state, options.log);
  return true;
}

async function labHost(dir: string, verb: string, name: string) {
  requireRoot(`${verb} ${name}`);
  const paths = labPaths(await checkLabDir(dir));
  const state = await requireLabState(paths);
  return { paths, state, host: findHost(state, name) };
}

/** Power loss: every process SIGKILLed, every link down. */
export async function labCrash(options: { dir: string; name: string }): Promise<number[]> {
  const { paths, state, host } = await labHost(options.dir, 'crash', options.name);
  const [killed] = await Promise.all([killHost(host), allLinksDown(host.name)]);
  host.pids = {};
  await saveLabState(paths, state);
  return killed;
}

/** Reboot: links up with only the host's own addresses, an empty /run, then the boot services. */
export async function labStart(options: {
  dir: string;
  name: string;
}): Promise<{ removed: string[] } | null> {
  const { paths, state, host } = await labHost(options.dir, 'start', options.name);
  if ((await hostPids(host.name)).length > 0) return null;
  const removed = await bootNetwork(host);
  const hostPaths = paths.host(host.name);
  await clearRun(hostPaths);
  host.pids = await bootServices(host, hostPaths);
  await saveLabState(paths, state);
  return { removed };
}

export async function labIsolate(options: { dir: string; name: string }): Promise<void> {
  const { host } = await labHost(options.dir, 'isolate', options.name);
  await cutLink(host);
}

export async function labHeal(options: { dir: string; name: string }): Promise<void> {
  const { host } = await labHost(options.dir, 'heal', options.name);
  await restoreLink(host);
}
