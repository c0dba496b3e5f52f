import type { LabHostPaths } from './paths.js';

/**
 * One lab host's sshd: its own address, host key, PID file and authorized keys, all in the host's
 * directory. Keys only (no PAM, no passwords). StrictModes stays on: the lab directory is
 * root-owned and 0755 all the way up.
 */
export function renderSshdConfig(address: string, paths: LabHostPaths): string {
  return [
    '# written by `webstack lab up`; the lab owns this sshd',
    `ListenAddress ${address}:22`,
    `HostKey ${paths.hostKey}`,
    `PidFile ${paths.sshdPid}`,
    `AuthorizedKeysFile ${paths.authorizedKeys}`,
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes yes',
    'UseDNS no',
    'PrintMotd no',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}

/** A known_hosts line that pins the host's key under both its name and its address. */
export function knownHostsLine(name: string, address: string, publicKey: string): string {
  const [type, key] = publicKey.trim().split(/\s+/);
  return `${name},${address} ${type ?? ''} ${key ?? ''}`;
}

/** The ssh command line an operator types to reach a lab host (printed, never run through a shell). */
export function sshCommand(operatorKey: string, knownHosts: string, address: string): string[] {
  return ['ssh', '-i', operatorKey, '-o', `UserKnownHostsFile=${knownHosts}`, `root@${address}`];
}
