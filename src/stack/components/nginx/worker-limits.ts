import type { Host } from '../../host/host.js';

/** What nginx's connection limits are sized from, read off the machine nginx runs on. */
export interface HostCapacity {
  /**
   * The hard RLIMIT_NOFILE of the process that starts nginx (the supervisor): the most each
   * worker's worker_rlimit_nofile can be raised to. The limit is per process, so per worker.
   */
  nofileHardLimit: number;
  /** The machine's memory (MemTotal). */
  memoryBytes: number;
  /** Online CPUs: nginx's `worker_processes auto` starts one worker per CPU. */
  cpus: number;
}

/** A proxied connection holds two descriptors: the client's and the application server's. */
export const DESCRIPTORS_PER_CONNECTION = 2;
/**
 * What one busy proxied connection may cost nginx: its request pool and header buffer, the proxy
 * buffers (8 × 4 KiB plus the header's), gzip's state while it compresses. Idle ones cost far less.
 */
const BYTES_PER_CONNECTION = 64 * 1024;
/** The share of the machine's memory nginx's connections may take; the rest is the app's and MariaDB's. */
const MEMORY_SHARE = 1 / 4;
/** nginx's own default; a machine too small for more still gets this many. */
export const MIN_WORKER_CONNECTIONS = 512;
/** Past this, one worker's event loop is the limit, not the machine. */
export const MAX_WORKER_CONNECTIONS = 65_536;

/**
 * worker_connections for each nginx worker: as many as the descriptors each worker may open
 * allow (two per connection) and as a quarter of the memory shared by every worker allows,
 * within [MIN, MAX]. worker_rlimit_nofile is DESCRIPTORS_PER_CONNECTION times this (conf.ts),
 * so it never exceeds the hard limit unless that is below 2 × MIN. Pure.
 */
export function sizeWorkerConnections(capacity: HostCapacity): number {
  const byDescriptors = Math.floor(capacity.nofileHardLimit / DESCRIPTORS_PER_CONNECTION);
  const byMemory = Math.floor(
    (capacity.memoryBytes * MEMORY_SHARE) / Math.max(1, capacity.cpus) / BYTES_PER_CONNECTION,
  );
  const fit = Math.min(byDescriptors, byMemory);
  return Math.max(MIN_WORKER_CONNECTIONS, Math.min(MAX_WORKER_CONNECTIONS, fit));
}

/** The hard "Max open files" of /proc/self/limits ("unlimited" counts as the cap); null if absent. */
export function parseNofileHardLimit(limits: string): number | null {
  const match = /^Max open files\s+\S+\s+(\S+)/m.exec(limits);
  if (!match) return null;
  if (match[1] === 'unlimited') return MAX_WORKER_CONNECTIONS * DESCRIPTORS_PER_CONNECTION;
  const value = Number(match[1]);
  return Number.isInteger(value) && value > 0 ? value : null;
}

/** MemTotal of /proc/meminfo in bytes; null if absent. */
export function parseMemTotal(meminfo: string): number | null {
  const match = /^MemTotal:\s+(\d+) kB$/m.exec(meminfo);
  return match ? Number(match[1]) * 1024 : null;
}

/** The online CPUs of /proc/stat (its cpuN lines); null if none. */
export function countCpus(stat: string): number | null {
  const count = stat.split('\n').filter((line) => /^cpu\d+\s/.test(line)).length;
  return count > 0 ? count : null;
}

/** The capacity of the machine HOST is, as this process sees it; null when any part is unreadable. */
export async function readHostCapacity(host: Host): Promise<HostCapacity | null> {
  const [limits, meminfo, stat] = await Promise.all([
    host.readText('/proc/self/limits'),
    host.readText('/proc/meminfo'),
    host.readText('/proc/stat'),
  ]);
  const nofileHardLimit = limits === null ? null : parseNofileHardLimit(limits);
  const memoryBytes = meminfo === null ? null : parseMemTotal(meminfo);
  const cpus = stat === null ? null : countCpus(stat);
  if (nofileHardLimit === null || memoryBytes === null || cpus === null) return null;
  return { nofileHardLimit, memoryBytes, cpus };
}
