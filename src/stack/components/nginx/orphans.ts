import type { Host } from '../../host/host.js';

/**
 * nginx workers outlive a SIGKILLed master and keep the listening socket open, so a new master
 * cannot bind it. These helpers find the processes that hold a given TCP listening port (the
 * host scans /proc), so that exactly those (and only nginx processes) are stopped before the restart.
 */

export { listenInodes } from '../../host/proc.js';

/**
 * Pids of the processes named `comm` that hold a LISTEN socket on `port`, or have `file` open.
 * The file catches an orphaned nginx cache manager: it closed the listening sockets but, like every
 * process of that master, keeps the master's error log open (and would otherwise live forever).
 */
export async function listenHolders(
  host: Host,
  port: number,
  comm: string,
  file?: string,
): Promise<number[]> {
  const holders = await host.listeners(port, { comm, ...(file === undefined ? {} : { file }) });
  return holders.map((p) => p.pid);
}

/** Asks each pid to finish gracefully (`signal`), and kills what is left after `graceMs`. */
export async function stopProcesses(
  host: Host,
  pids: readonly number[],
  signal: NodeJS.Signals,
  graceMs: number,
): Promise<void> {
  const alive = async () => {
    const left: number[] = [];
    for (const pid of pids) if (await host.isAlive(pid)) left.push(pid);
    return left;
  };
  for (const pid of await alive()) await host.signal(pid, signal);
  const deadline = Date.now() + graceMs;
  while ((await alive()).length > 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  for (const pid of await alive()) await host.signal(pid, 'SIGKILL');
}
