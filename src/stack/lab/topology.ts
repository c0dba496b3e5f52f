import { WebstackError } from '../core/errors.js';

/** The roles a lab host can hold (one each); the order is the order hosts are numbered in. */
export const LAB_ROLES = ['lb', 'app', 'db'] as const;
export type LabRole = (typeof LAB_ROLES)[number];

export type LabCounts = Record<LabRole, number>;

/**
 * The lab's network. 198.18.0.0/15 is reserved for network benchmarks (RFC 2544), so it never
 * collides with a real network; the lab uses its first /24 only. The bridge has the fixed MAC
 * below: otherwise a bridge takes its lowest port's MAC, which changes as ports come and go.
 */
export const LAB_NETWORK = {
  bridge: 'wslab0',
  bridgeMac: '02:77:73:6c:61:62',
  prefix: '198.18.0',
  prefixLength: 24,
  bridgeAddress: '198.18.0.1',
  /** With two lb hosts: the floating address they share (below the hosts' own). */
  vip: '198.18.0.10',
  firstHostOctet: 11,
  lastHostOctet: 254,
} as const;

export const MAX_LAB_HOSTS = LAB_NETWORK.lastHostOctet - LAB_NETWORK.firstHostOctet + 1;

export interface LabHostPlan {
  /** Also the network namespace's name and the hostname inside it. */
  name: string;
  role: LabRole;
  address: string;
  /** The root namespace's end of the host's veth pair (the namespace's end is always eth0). */
  veth: string;
}

/** lb1…, app1…, db1…: one host per role instance, addresses .11, .12, … in that order. */
export function planHosts(counts: LabCounts): LabHostPlan[] {
  for (const role of LAB_ROLES) {
    const count = counts[role];
    if (!Number.isInteger(count) || count < 0) throw new WebstackError('LAB_BAD_COUNT', role, String(count));
  }
  const total = LAB_ROLES.reduce((sum, role) => sum + counts[role], 0);
  if (total === 0) throw new WebstackError('LAB_NO_HOSTS');
  if (total > MAX_LAB_HOSTS)
    throw new WebstackError(
      'LAB_TOO_MANY_HOSTS',
      total,
      `${LAB_NETWORK.prefix}.0/${LAB_NETWORK.prefixLength}`,
      MAX_LAB_HOSTS,
      MAX_LAB_HOSTS,
    );
  const hosts: LabHostPlan[] = [];
  for (const role of LAB_ROLES) {
    for (let n = 1; n <= counts[role]; n++) {
      const name = `${role}${n}`;
      const octet = LAB_NETWORK.firstHostOctet + hosts.length;
      hosts.push({ name, role, address: `${LAB_NETWORK.prefix}.${octet}`, veth: `wsl-${name}` });
    }
  }
  return hosts;
}

/** ADDR/24, as `ip addr` takes and prints it. */
export function withPrefix(address: string): string {
  return `${address}/${LAB_NETWORK.prefixLength}`;
}
