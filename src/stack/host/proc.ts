import type { ProcessInfo } from './host.js';

/** Parsers of /proc text, used by LocalHost's one /proc scanner. */

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

/** pid, ppid and comm from /proc/PID/stat text; null when it does not parse. */
export function parseProcStat(pid: number, stat: string): ProcessInfo | null {
  // The command name sits in parentheses and may itself hold spaces or ')': split at the last ')'.
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const ppid = Number(stat.slice(close + 2).split(' ')[1]);
  if (!Number.isInteger(ppid)) return null;
  return { pid, ppid, comm: stat.slice(open + 1, close) };
}
