import { join } from 'node:path';

/** Where a lab lives unless --dir says otherwise: root-owned and 0755, as sshd's StrictModes wants. */
export const DEFAULT_LAB_DIR = '/var/lib/webstack-lab';

/** The directories each host sees over its own; bound only inside the host's mount namespace. */
export const HOST_PRIVATE_MOUNTS = {
  state: '/var/lib/webstack',
  run: '/run',
  // A private home: root's real ~/.bashrc may be slow (0.5 s a command on the test machine).
  home: '/root',
} as const;

export interface LabHostPaths {
  dir: string;
  /** Bound over /var/lib/webstack inside the host. */
  state: string;
  /** Bound over /run inside the host: sshd's privilege-separation directory lives here. */
  run: string;
  home: string;
  /** Where the host's persistent mount and UTS namespaces are pinned (bind mounts of nsfs files). */
  mntNs: string;
  utsNs: string;
  sshdConfig: string;
  hostKey: string;
  sshdPid: string;
  sshdLog: string;
  authorizedKeys: string;
}

export interface LabPaths {
  dir: string;
  /** The inventory, in the shape `webstack up --config` reads. */
  inventory: string;
  /** What the lab itself needs to find its parts again: hosts, PIDs, what it created. */
  state: string;
  operatorKey: string;
  knownHosts: string;
  /** A private bind mount of itself, so that the namespace files in it can be bind-mounted. */
  nsDir: string;
  host(name: string): LabHostPaths;
}

export function labPaths(dir: string): LabPaths {
  const nsDir = join(dir, 'ns');
  return {
    dir,
    inventory: join(dir, 'lab.json'),
    state: join(dir, 'lab-state.json'),
    operatorKey: join(dir, 'id_ed25519'),
    knownHosts: join(dir, 'known_hosts'),
    nsDir,
    host(name) {
      const hostDir = join(dir, 'hosts', name);
      return {
        dir: hostDir,
        state: join(hostDir, 'var-lib-webstack'),
        run: join(hostDir, 'run'),
        home: join(hostDir, 'root'),
        mntNs: join(nsDir, `${name}.mnt`),
        utsNs: join(nsDir, `${name}.uts`),
        sshdConfig: join(hostDir, 'sshd_config'),
        hostKey: join(hostDir, 'ssh_host_ed25519_key'),
        sshdPid: join(hostDir, 'sshd.pid'),
        sshdLog: join(hostDir, 'sshd.log'),
        authorizedKeys: join(hostDir, 'authorized_keys'),
      };
    },
  };
}

/** Everything `lab up` writes in the lab directory: what `lab down` removes (nothing else). */
export function labEntries(paths: LabPaths): string[] {
  return [
    paths.inventory,
    // What `webstack up --config lab.json` keeps on the operator's side (its operatorDir).
    join(paths.dir, '.webstack'),
    paths.knownHosts,
    paths.operatorKey,
    `${paths.operatorKey}.pub`,
    paths.nsDir,
    join(paths.dir, 'hosts'),
    // Last: without it a half-removed lab could not be found again.
    paths.state,
  ];
}
