import { WebstackError } from '../core/errors.js';
import { localHost } from '../host/local.js';
import type { LabPaths } from './paths.js';
import { LAB_NETWORK, type LabHostPlan } from './topology.js';

/**
 * What the lab needs to find its parts again. Written before `up` creates anything and updated
 * as it goes, so that `down` can remove exactly what a half-finished `up` left.
 */
export interface LabState {
  version: 1;
  dir: string;
  bridge: string;
  hosts: LabHostState[];
  /** /var/lib/webstack did not exist and the lab made the empty mount point (removed by down if still empty). */
  createdStateMountpoint: boolean;
}

export interface LabHostState extends LabHostPlan {
  /** PIDs of the daemons the lab started in the host (sshd, later webstack daemon). */
  pids: Record<string, number>;
}

/**
 * The lab's config: its hosts as the inventory (`hosts: [...]`), sized for one machine (one
 * application worker per app host), and the zone pointing at the first lb.
 */
export interface LabInventory {
  serverIp?: string;
  vip?: string;
  app: { workers: number };
  database: { bufferPoolMb: number; galera: { gcacheMb: number } };
  hosts: {
    name: string;
    address: string;
    roles: string[];
    ssh: { user: string; port: number; identityFile: string };
  }[];
}

export function renderInventory(state: LabState, paths: LabPaths): LabInventory {
  const lbs = state.hosts.filter((host) => host.role === 'lb');
  return {
    // Two lbs share a floating address, which the zone then points at; one lb is the address.
    ...(lbs.length === 2 ? { vip: LAB_NETWORK.vip } : lbs[0] ? { serverIp: lbs[0].address } : {}),
    // Sized for a 2-core machine that runs every host of the lab at once.
    app: { workers: 1 },
    database: { bufferPoolMb: 32, galera: { gcacheMb: 64 } },
    hosts: state.hosts.map((host) => ({
      name: host.name,
      address: host.address,
      roles: [host.role],
      ssh: { user: 'root', port: 22, identityFile: paths.operatorKey },
    })),
  };
}

export function newLabState(dir: string, hosts: readonly LabHostPlan[]): LabState {
  return {
    version: 1,
    dir,
    bridge: LAB_NETWORK.bridge,
    hosts: hosts.map((host) => ({ ...host, pids: {} })),
    createdStateMountpoint: false,
  };
}

export async function saveLabState(paths: LabPaths, state: LabState): Promise<void> {
  await localHost.writeAtomic(paths.state, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o644 });
}

export async function loadLabState(paths: LabPaths): Promise<LabState | null> {
  const text = await localHost.readText(paths.state);
  if (text === null) return null;
  try {
    const state = JSON.parse(text) as LabState;
    if (state.version !== 1 || !Array.isArray(state.hosts)) throw new Error('unknown shape');
    return state;
  } catch (error) {
    throw new WebstackError('LAB_STATE_UNREADABLE', paths.state, LAB_NETWORK.bridge, paths.dir, {
      cause: error,
    });
  }
}

/** The lab's state, or the error an operator meets when there is no lab in DIR. */
export async function requireLabState(paths: LabPaths): Promise<LabState> {
  const state = await loadLabState(paths);
  if (state === null) throw new WebstackError('LAB_NOT_FOUND', paths.dir);
  return state;
}

export function findHost(state: LabState, name: string): LabHostState {
  const host = state.hosts.find((h) => h.name === name);
  if (!host)
    throw new WebstackError('LAB_HOST_UNKNOWN', state.dir, name, state.hosts.map((h) => h.name).join(', '));
  return host;
}
