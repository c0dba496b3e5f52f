import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedConfig } from '../core/config/load.js';
import { statePaths } from '../core/paths.js';
import type { Argv } from '../host/host.js';
import { localHost } from '../host/index.js';
import { SshHost } from '../host/ssh.js';
import { type HostPlan, planCluster } from './plan.js';

/** What the operator's machine keeps for a cluster, under `operatorDir`. */
export function operatorPaths(config: ResolvedConfig) {
  const dir = config.operatorDir;
  // A unix socket path has 108 bytes: ssh's %C takes 40 of them, this process's id 8, and the
  // temporary name it binds first 17 more.
  const sshDir = join(dir, 'ssh');
  const controlDir =
    sshDir.length <= 32
      ? sshDir
      : join(tmpdir(), `webstack-ssh-${createHash('sha256').update(dir).digest('hex').slice(0, 12)}`);
  return {
    dir,
    knownHosts: join(dir, 'known_hosts'),
    controlDir,
    /** The secrets every host shares (database passwords, the session secret). */
    secrets: join(dir, 'secrets.json'),
    /** The operator's own releases: built here once, shipped to every host. */
    state: statePaths(dir),
    /** Each release as the one archive that travels to the hosts. */
    archives: join(dir, 'archives'),
  };
}
export type OperatorPaths = ReturnType<typeof operatorPaths>;

/**
 * Where webstack lives on a host: its usual state directory, plus the Node.js runtime shipped with
 * it and the copy of the config that names the host (`self`).
 */
export function hostLayout(config: ResolvedConfig) {
  const paths = statePaths(config.stateDir);
  const runtime = join(config.stateDir, 'runtime', `node-${process.version}`);
  return {
    paths,
    config: join(config.stateDir, 'host.json'),
    runtime,
    node: join(runtime, 'bin', 'node'),
    cli: join(paths.current, 'dist', 'stack', 'cli', 'main.js'),
    /** What the host's init runs at boot (the lab reads it; a systemd host gets a unit instead). */
    boot: join(config.stateDir, 'boot.json'),
  };
}
export type HostLayout = ReturnType<typeof hostLayout>;

/** `webstack ARGS` on a host, with the runtime and the release shipped there. */
export function remoteWebstack(layout: HostLayout, args: readonly string[]): Argv {
  return [layout.node, layout.cli, '--config', layout.config, ...args];
}

/** One host of the inventory as the operator drives it. */
export interface ClusterHost {
  name: string;
  plan: HostPlan;
  ssh: SshHost;
}

/** An SSH connection (opened on first use) to every host, in inventory order. */
export function connectHosts(config: ResolvedConfig, operator: OperatorPaths): ClusterHost[] {
  return planCluster(config.inventory).map((plan) => {
    const { host } = plan;
    if (!host.ssh) throw new Error(`host ${host.name} has no ssh settings`);
    return {
      name: host.name,
      plan,
      ssh: new SshHost(
        host.name,
        {
          address: host.address,
          user: host.ssh.user,
          port: host.ssh.port,
          ...(host.ssh.identityFile ? { identityFile: host.ssh.identityFile } : {}),
        },
        { knownHosts: operator.knownHosts, controlDir: operator.controlDir, session: String(process.pid) },
      ),
    };
  });
}

/**
 * Ends every multiplexed connection (the end of a verb). The sockets' directory under /tmp goes
 * too once empty (another verb still running keeps its sockets, and so the directory).
 */
export async function disconnect(hosts: readonly ClusterHost[]): Promise<void> {
  await Promise.all(hosts.map((host) => host.ssh.close()));
  for (const dir of new Set(hosts.map((host) => host.ssh.controlDir)))
    if (dir.startsWith(`${tmpdir()}/webstack-ssh-`))
      await localHost.run(['rmdir', '--ignore-fail-on-non-empty', '--', dir], { okCodes: [0, 1] });
}

/**
 * `work` on every host at once; the first failure is thrown once every host has finished, so
 * that no host is still opening connections when the verb closes them.
 */
export async function onEvery(
  hosts: readonly ClusterHost[],
  work: (host: ClusterHost) => Promise<void>,
): Promise<void> {
  const results = await Promise.allSettled(hosts.map(work));
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}
