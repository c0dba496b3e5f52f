import { formatError } from '../cli/output.js';
import type { ResolvedConfig } from '../core/config/load.js';
import { isWebstackError } from '../core/errors.js';
import {
  type ClusterHost,
  connectHosts,
  disconnect,
  hostLayout,
  operatorPaths,
  remoteWebstack,
} from './hosts.js';
import { type RemoteStatus, remoteStatus } from './remote.js';

export interface HostStatus {
  host: string;
  address: string;
  roles: readonly string[];
  /** The host's own status, or why it could not be asked (unreachable, not installed). */
  status: RemoteStatus;
}

/** Every host's status, asked at once; an unreachable host is reported, not thrown. */
export async function clusterStatus(config: ResolvedConfig): Promise<HostStatus[]> {
  const hosts = connectHosts(config, operatorPaths(config));
  const layout = hostLayout(config);
  try {
    return await Promise.all(
      hosts.map(async (host) => ({
        host: host.name,
        address: host.plan.host.address,
        roles: host.plan.host.roles,
        status: await remoteStatus(host, layout).catch(
          (error: unknown): RemoteStatus => ({
            running: false,
            reason: isWebstackError(error) ? error.message : (error as Error).message,
          }),
        ),
      })),
    );
  } finally {
    await disconnect(hosts);
  }
}

/** The hosts that say they hold the floating address: exactly one, when the lbs agree. */
export function vipHolders(statuses: readonly HostStatus[]): string[] {
  return statuses.flatMap((entry) => (entry.status.running && entry.status.vip?.held ? [entry.host] : []));
}

/**
 * Healthy when every host runs and every component of each is healthy, and, with a floating
 * address, exactly one lb holds it.
 */
export function clusterHealthy(statuses: readonly HostStatus[], vip: string | null = null): boolean {
  return (
    statuses.every((entry) => entry.status.running && entry.status.healthy) &&
    (vip === null || vipHolders(statuses).length === 1)
  );
}

/** One line on who holds the floating address. */
export function describeVip(vip: string, holders: readonly string[]): string {
  if (holders.length === 1) return `floating address ${vip}: held by ${holders[0]}`;
  if (holders.length === 0) return `floating address ${vip}: held by no lb (the site is unreachable)`;
  return `floating address ${vip}: held by ${holders.join(' and ')} at once (both answer: split brain)`;
}

/**
 * `webstack down` across the inventory: lb hosts first (stop taking requests), then app (drain),
 * then db, each host's own supervisor stopping its components in order.
 */
export async function clusterDown(
  config: ResolvedConfig,
  log: (host: string, line: string) => void,
): Promise<string[]> {
  const hosts = connectHosts(config, operatorPaths(config));
  const layout = hostLayout(config);
  const order: ClusterHost[] = [];
  for (const role of ['lb', 'app', 'db'] as const)
    for (const host of hosts)
      if (host.plan.host.roles.includes(role) && !order.includes(host)) order.push(host);
  const failed: string[] = [];
  try {
    for (const host of order) {
      try {
        if (!(await host.ssh.exists(layout.cli))) {
          log(host.name, 'webstack is not installed');
          continue;
        }
        const result = await host.ssh.run(remoteWebstack(layout, ['down']), { timeoutMs: 240_000 });
        log(host.name, result.stdout.trim().split('\n').pop() ?? 'down');
      } catch (error) {
        // One host that cannot be reached does not keep the others running.
        failed.push(host.name);
        log(host.name, formatError(error).join('; '));
      }
    }
  } finally {
    await disconnect(hosts);
  }
  return failed;
}
