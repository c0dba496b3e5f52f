import type { StackStatus } from '../supervisor/control/types.js';
import { type ClusterHost, type HostLayout, remoteWebstack } from './hosts.js';

/** What `webstack status --json` says on a host: not running, or the supervisor's status. */
export type RemoteStatus =
  | { running: false; reason?: string }
  | ({ running: true; healthy: boolean } & StackStatus & { phase?: string });

/**
 * Asks a host's own supervisor, through its control socket, over SSH: the CLI shipped to the host
 * runs there (the socket is never exposed on a TCP port).
 */
export async function remoteStatus(host: ClusterHost, layout: HostLayout): Promise<RemoteStatus> {
  if (!(await host.ssh.exists(layout.cli))) return { running: false, reason: 'webstack is not installed' };
  const result = await host.ssh.run(remoteWebstack(layout, ['status', '--json']), {
    okCodes: [0, 1],
    timeoutMs: 60_000,
  });
  try {
    return JSON.parse(result.stdout) as RemoteStatus;
  } catch {
    return { running: false, reason: (result.stderr || result.stdout).trim().split('\n').pop() ?? '' };
  }
}
