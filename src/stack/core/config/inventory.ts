import { isIPv4 } from 'node:net';
import { configError } from './config-error.js';
import { type HostConfig, ROLES, type Role } from './schema.js';

/** A host of the inventory as the rest of the stack sees it. */
export interface InventoryHost {
  name: string;
  address: string;
  roles: readonly Role[];
  /** How to reach it; null for this machine itself (the cluster of one). */
  ssh: { user: string; port: number; identityFile?: string } | null;
}

export interface Inventory {
  hosts: readonly InventoryHost[];
  /** True when the config names no hosts: this machine holds every role, today's single server. */
  single: boolean;
  /** The floating address the two lb hosts share, or null with one lb. */
  vip: string | null;
}

/** The name of the one host of a config without `hosts`. */
export const LOCAL_HOST_NAME = 'local';

/**
 * Checks what the schema cannot (names and addresses unique, every role held) and resolves the
 * inventory. Without `hosts`, the stack is one server with every role on this machine.
 */
export function resolveInventory(hosts: readonly HostConfig[] | undefined, vip?: string): Inventory {
  if (hosts === undefined) {
    if (vip !== undefined)
      throw configError('vip', vip, 'needs two lb hosts in "hosts"; a single server has no floating address');
    return {
      single: true,
      vip: null,
      hosts: [{ name: LOCAL_HOST_NAME, address: '127.0.0.1', roles: [...ROLES], ssh: null }],
    };
  }
  for (const field of ['name', 'address'] as const) {
    const seen = new Map<string, number>();
    hosts.forEach((host, index) => {
      const first = seen.get(host[field]);
      if (first !== undefined) {
        throw configError(
          `hosts.${index}.${field}`,
          host[field],
          `is already the ${field} of hosts.${first}; every host needs its own ${field}`,
        );
      }
      seen.set(host[field], index);
    });
  }
  hosts.forEach((host, index) => {
    // The firewall, the database's accounts (skip-name-resolve) and its certificate name addresses.
    if (!isIPv4(host.address))
      throw configError(
        `hosts.${index}.address`,
        host.address,
        'must be an IPv4 address (host names and IPv6 are not supported across hosts yet)',
      );
  });
  for (const role of ROLES) {
    if (!hosts.some((host) => host.roles.includes(role))) {
      throw configError(
        'hosts',
        hosts.map((host) => host.name),
        `no host has the role "${role}"; give at least one host that role`,
      );
    }
  }
  const holding = (role: Role) => hosts.filter((host) => host.roles.includes(role)).map((host) => host.name);
  const dbs = holding('db');
  if (dbs.length > 1 && (dbs.length < 3 || dbs.length % 2 === 0)) {
    throw configError(
      'hosts',
      dbs,
      'hold the role "db": a replicated database (Galera) needs an odd number of db hosts, 3 or more, so that a majority survives any one; give the role "db" to 1, 3 or 5 hosts',
    );
  }
  const lbs = holding('lb');
  if (lbs.length > 2)
    throw configError(
      'hosts',
      lbs,
      'hold the role "lb": at most two load balancers share the floating address; give the role "lb" to 1 or 2 hosts',
    );
  if (lbs.length === 2 && vip === undefined)
    throw configError(
      'vip',
      undefined,
      `is required with two lb hosts (${lbs.join(', ')}): set "vip" to a free address of their subnet, which the healthy one holds`,
    );
  if (lbs.length < 2 && vip !== undefined)
    throw configError('vip', vip, 'needs two lb hosts; give a second host the role "lb", or remove "vip"');
  const owner = hosts.findIndex((host) => host.address === vip);
  if (owner !== -1)
    throw configError(
      'vip',
      vip,
      `is the address of hosts.${owner}; the floating address must be one no host has`,
    );
  return {
    single: false,
    vip: vip ?? null,
    hosts: hosts.map((host) => ({
      name: host.name,
      address: host.address,
      roles: ROLES.filter((role) => host.roles.includes(role)),
      ssh: { ...host.ssh },
    })),
  };
}

/** The hosts that hold `role`, in inventory order. */
export function hostsWith(inventory: Inventory, role: Role): InventoryHost[] {
  return inventory.hosts.filter((host) => host.roles.includes(role));
}
