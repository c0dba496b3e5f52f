import { WebstackError } from '../core/errors.js';
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

/** A control request to a host's supervisor, over SSH (`webstack control` runs there). */
export async function remoteControl<T>(
  host: ClusterHost,
  layout: HostLayout,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<T> {
  const args = ['control', method, path, ...(body === undefined ? [] : [JSON.stringify(body)])];
  const result = await host.ssh.run(remoteWebstack(layout, args), {
    okCodes: [0, 1],
    timeoutMs: 30 * 60_000,
  });
  let answer: { ok?: T; error?: { code?: string; message?: string; fix?: string } };
  try {
    answer = JSON.parse(result.stdout.trim().split('\n').pop() ?? '') as typeof answer;
  } catch {
    const detail = (result.stderr || result.stdout).trim().split('\n')[0] ?? '';
    throw new WebstackError('CLUSTER_HOST_REFUSED', host.name, detail);
  }
  if (answer.error) {
    const error = WebstackError.received(answer.error);
    error.message = `${host.name}: ${error.message}`;
    throw error;
  }
  return answer.ok as T;
}
