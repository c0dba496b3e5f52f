import { readdir, readFile, readlink } from 'node:fs/promises';

/**
 * nginx workers outlive a SIGKILLed master and keep the listening socket open, so a new master
 * cannot bind it. These helpers find the processes that hold a given TCP listening port, through
 * /proc, so that exactly those (and only nginx processes) are stopped before the restart.
 */

/** Inodes of the LISTEN sockets on `port` in /proc/net/tcp text (state 0A), any local address. */
export function listenInodes(procNetTcp: string, port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes: string[] = [];
  for (const line of procNetTcp.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const [, local, , state] = fields;
    if (state === '0A' && local?.endsWith(`:${hexPort}`) && fields[9]) inodes.push(fields[9]);
  }
  return inodes;
}

/**
 * Pids of the processes named `comm` that hold a LISTEN socket on `port`, or have `file` open.
 * The file catches an orphaned nginx cache manager: it closed the listening sockets but, like every
 * process of that master, keeps the master's error log open (and would otherwise live forever).
 */
export async function listenHolders(port: number, comm: string, file?: string): Promise<number[]> {
  const targets = new Set(
    listenInodes(await readFile('/proc/net/tcp', 'utf8').catch(() => ''), port).map((i) => `socket:[${i}]`),
  );
  if (file !== undefined) targets.add(file);
  if (targets.size === 0) return [];
  const holders: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const name = (await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '')).trim();
    if (name !== comm) continue;
    const fds = await readdir(`/proc/${entry}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      if (targets.has(await readlink(`/proc/${entry}/fd/${fd}`).catch(() => ''))) {
        holders.push(Number(entry));
        break;
      }
    }
  }
  return holders;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Asks each pid to finish gracefully (`signal`), and kills what is left after `graceMs`. */
export async function stopProcesses(
  pids: readonly number[],
  signal: NodeJS.Signals,
  graceMs: number,
): Promise<void> {
  for (const pid of pids) if (alive(pid)) process.kill(pid, signal);
  const deadline = Date.now() + graceMs;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
}
