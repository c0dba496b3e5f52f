import type { Child, Host } from '../../host/host.js';
import * as mariadb from './commands.js';
import type { RunAs } from './setup.js';

export interface MariadbExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface MariadbProcess {
  pid: number;
  child: Child;
  /** Settles when the server process has exited, for whatever reason. */
  exited: Promise<MariadbExit>;
  /** SIGTERM (InnoDB flushes and shuts down cleanly), then SIGKILL if it takes longer than the bound. */
  stop(timeoutMs?: number): Promise<MariadbExit>;
}

/**
 * Starts mariadbd as a child process, not a daemon, so whoever started it (the supervisor,
 * a test) sees it exit and can restart it. Readiness is a separate step: waitForMariadb().
 */
export function startMariadb(
  host: Host,
  configFile: string,
  runAs?: RunAs,
  args: readonly string[] = [],
): MariadbProcess {
  const child = host.start(mariadb.server(configFile, { user: runAs?.user, args }), { stdio: 'ignore' });
  const exited = new Promise<MariadbExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    // spawn failures (ENOENT) arrive as 'error' without an 'exit'.
    child.once('error', () => resolve({ code: child.exitCode ?? -1, signal: null }));
  });
  if (child.pid === undefined) {
    return { pid: -1, child, exited, stop: () => exited };
  }
  const pid = child.pid;
  const stop = async (timeoutMs = 60_000): Promise<MariadbExit> => {
    if (child.exitCode !== null || child.signalCode !== null) return await exited;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
    });
    const outcome = await Promise.race([exited, late]);
    clearTimeout(timer);
    if (outcome !== 'late') return outcome;
    child.kill('SIGKILL');
    return await exited;
  };
  return { pid, child, exited, stop };
}
