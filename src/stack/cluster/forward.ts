import { basename, join } from 'node:path';
import type { ResolvedConfig } from '../core/config/load.js';
import type { Role } from '../core/config/schema.js';
import { isWebstackError, WebstackError } from '../core/errors.js';
import type { RunResult } from '../host/host.js';
import { localHost } from '../host/index.js';
import { sha256File } from '../operations/backup/backup.js';
import { galeraViewOf } from './galera.js';
import {
  type ClusterHost,
  connectHosts,
  disconnect,
  type HostLayout,
  hostLayout,
  operatorPaths,
  remoteWebstack,
} from './hosts.js';

/** What a verb that runs on one host answered there, as if typed on it. */
export interface Forwarded extends RunResult {
  host: string;
}

/** SSH failures that make the next host of the role worth trying. */
const UNREACHABLE = new Set(['SSH_UNREACHABLE', 'SSH_FAILED']);

/**
 * Runs `webstack ARGS` on the first reachable host of ROLE, with that host's own config: the
 * site's commands (seed, user) on an app host, backup and restore on the db host. Its output and
 * exit code are the verb's; `after` runs on the same connection before it closes.
 */
export async function onRoleHost<T = void>(
  config: ResolvedConfig,
  role: Role,
  args: readonly string[] | ((host: ClusterHost) => Promise<readonly string[]>),
  options: { input?: string; after?: (host: ClusterHost, result: Forwarded) => Promise<T> } = {},
): Promise<Forwarded & { after?: T }> {
  const operator = operatorPaths(config);
  const layout = hostLayout(config);
  const all = connectHosts(config, operator);
  const hosts = await servingFirst(
    all.filter((host) => host.plan.host.roles.includes(role)),
    layout,
  );
  try {
    let lastError: unknown = null;
    for (const host of hosts) {
      try {
        const argv = typeof args === 'function' ? await args(host) : args;
        const result = await host.ssh.run(remoteWebstack(layout, argv), {
          okCodes: [0, 1, 2],
          timeoutMs: 3_600_000,
          input: options.input ?? '',
        });
        const forwarded = { ...result, host: host.name };
        if (result.code !== 0 || !options.after) return forwarded;
        return { ...forwarded, after: await options.after(host, forwarded) };
      } catch (error) {
        if (!isWebstackError(error) || !UNREACHABLE.has(error.code)) throw error;
        lastError = error;
      }
    }
    throw lastError ?? new Error(`an inventory always has a ${role} host`);
  } finally {
    await disconnect(all);
  }
}

/**
 * The nodes of a Galera cluster with those that serve first (a backup is taken from, and a restore
 * loaded into, a Synced node; Galera replicates the load to the others). Other hosts as they are.
 */
async function servingFirst(hosts: ClusterHost[], layout: HostLayout): Promise<ClusterHost[]> {
  if (!hosts.some((host) => host.plan.galera && host.plan.host.roles.includes('db'))) return hosts;
  const serving = await Promise.all(
    hosts.map(async (host) => (await galeraViewOf(host, layout))?.serving === true),
  );
  return [...hosts.filter((_, i) => serving[i]), ...hosts.filter((_, i) => !serving[i])];
}

/**
 * Brings an archive written on a host (and its .sha256) to this machine, checked: the copy's
 * sha256 must be the one the host recorded. Files 0600 in a 0700 directory: an archive holds
 * every account.
 */
export async function fetchArchive(host: ClusterHost, remote: string, local: string): Promise<string> {
  const recorded = (await host.ssh.readText(`${remote}.sha256`))?.trim().split(/\s+/)[0];
  if (!recorded) throw new WebstackError('BACKUP_NO_CHECKSUM', `${host.name}:${remote}`);
  const partial = `${local}.partial`;
  await host.ssh.copyOut(remote, partial);
  await localHost.chmod(partial, 0o600);
  const actual = await sha256File(partial);
  if (actual !== recorded) {
    await localHost.remove(partial);
    throw new WebstackError('CLUSTER_COPY_CORRUPT', local, 'this machine', actual, recorded);
  }
  await localHost.rename(partial, local);
  await localHost.writeAtomic(`${local}.sha256`, `${actual}  ${basename(local)}\n`, { mode: 0o600 });
  return actual;
}

/** An archive of this machine onto the host (beside its .sha256), into the host's backups. */
export async function sendArchive(host: ClusterHost, local: string, backupsDir: string): Promise<string> {
  const sum = await sha256File(local);
  const remote = join(backupsDir, basename(local));
  await host.ssh.mkdir(backupsDir, { mode: 0o700 });
  await host.ssh.copyIn(local, remote);
  await host.ssh.chmod(remote, 0o600);
  await host.ssh.writeAtomic(`${remote}.sha256`, `${sum}  ${basename(local)}\n`, { mode: 0o600 });
  return remote;
}
