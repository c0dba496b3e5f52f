/**
 * Resident memory of the stack's processes, read from /proc/PID/status (VmRSS). Pids come from
 * `webstack status --json`; workers and nginx's worker processes are found as their children.
 */
import { readdir, readFile } from 'node:fs/promises';

export interface StackPids {
  supervisor: number;
  mariadb: number | null;
  nginx: number | null;
}

export const RSS_GROUPS = ['nginx', 'mariadb', 'supervisor', 'workers'] as const;
export type RssGroup = (typeof RSS_GROUPS)[number];
export type RssSample = Record<RssGroup | 'total', number>;

/** Parses `webstack status --json` into the pids the bench watches. Pure. */
export function pidsFromStatus(json: string): StackPids {
  const status = JSON.parse(json) as {
    running?: boolean;
    supervisor?: { pid?: number };
    components?: { name: string; pid: number | null }[];
  };
  const supervisor = status.supervisor?.pid;
  if (!status.running || typeof supervisor !== 'number') throw new Error('the stack is not running');
  const pidOf = (name: string) => status.components?.find((c) => c.name === name)?.pid ?? null;
  return { supervisor, mariadb: pidOf('mariadb'), nginx: pidOf('nginx') };
}

/** VmRSS in KiB from the text of /proc/PID/status; 0 when absent (kernel threads, zombies). Pure. */
export function vmRssKib(statusText: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(statusText);
  return match ? Number(match[1]) : 0;
}

async function readProc(pid: number, file: string): Promise<string> {
  return readFile(`/proc/${pid}/${file}`, 'utf8').catch(() => '');
}

async function children(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const lists = await Promise.all(tasks.map((t) => readProc(pid, `task/${t}/children`)));
  return lists.flatMap((l) => l.split(/\s+/).filter(Boolean).map(Number));
}

/** Pss in KiB from the text of /proc/PID/smaps_rollup: shared pages split among their sharers. Pure. */
export function pssKib(rollupText: string): number {
  const match = /^Pss:\s+(\d+)\s+kB$/m.exec(rollupText);
  return match ? Number(match[1]) : 0;
}

async function memoryKib(pid: number, kind: 'rss' | 'pss'): Promise<number> {
  return kind === 'pss'
    ? pssKib(await readProc(pid, 'smaps_rollup'))
    : vmRssKib(await readProc(pid, 'status'));
}

/**
 * The same groups in PSS (proportional set size): what the stack really costs the machine, since
 * the workers share their code pages with each other (and nginx's workers with their master).
 */
export function samplePss(pids: StackPids): Promise<RssSample> {
  return sampleMemory(pids, 'pss');
}

export function sampleRss(pids: StackPids): Promise<RssSample> {
  return sampleMemory(pids, 'rss');
}

/** Workers are the supervisor's node children (mariadbd and nginx are its children too). */
export async function workerPids(supervisor: number): Promise<number[]> {
  const kids = await children(supervisor);
  const comms = await Promise.all(kids.map((pid) => readProc(pid, 'comm')));
  return kids.filter((_, i) => comms[i]?.trim() === 'node');
}

/** RSS in MiB of each group and the total: a sum of RSS, so shared pages count once per process. */
async function sampleMemory(pids: StackPids, kind: 'rss' | 'pss'): Promise<RssSample> {
  const rssKib = (pid: number) => memoryKib(pid, kind);
  const sum = async (list: number[]) => (await Promise.all(list.map(rssKib))).reduce((a, b) => a + b, 0);
  const nginx = pids.nginx === null ? [] : [pids.nginx, ...(await children(pids.nginx))];
  const kib = {
    nginx: await sum(nginx),
    mariadb: pids.mariadb === null ? 0 : await rssKib(pids.mariadb),
    supervisor: await rssKib(pids.supervisor),
    workers: await sum(await workerPids(pids.supervisor)),
  };
  const mib = (k: number) => Math.round((k / 1024) * 10) / 10;
  const sample = {
    nginx: mib(kib.nginx),
    mariadb: mib(kib.mariadb),
    supervisor: mib(kib.supervisor),
    workers: mib(kib.workers),
    total: 0,
  };
  sample.total = Math.round((sample.nginx + sample.mariadb + sample.supervisor + sample.workers) * 10) / 10;
  return sample;
}

/** utime + stime in clock ticks from the text of /proc/PID/stat (the name may hold spaces). Pure. */
export function cpuTicks(statText: string): number {
  const fields = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
  // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
  return Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
}

export type CpuSample = Record<RssGroup, number>;
/** Linux's USER_HZ: /proc reports CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

/** CPU seconds each group has used so far (only processes alive now count). */
export async function sampleCpu(pids: StackPids): Promise<CpuSample> {
  const sum = async (list: number[]) =>
    (await Promise.all(list.map(async (pid) => cpuTicks(await readProc(pid, 'stat'))))).reduce(
      (a, b) => a + b,
      0,
    ) / TICKS_PER_SECOND;
  const nginx = pids.nginx === null ? [] : [pids.nginx, ...(await children(pids.nginx))];
  return {
    nginx: await sum(nginx),
    mariadb: pids.mariadb === null ? 0 : await sum([pids.mariadb]),
    supervisor: await sum([pids.supervisor]),
    workers: await sum(await workerPids(pids.supervisor)),
  };
}

/** Samples every interval until stopped; keeps the largest value seen for each group. */
export function watchRss(pids: StackPids, intervalMs = 500): { stop(): Promise<RssSample> } {
  const peak: RssSample = { nginx: 0, mariadb: 0, supervisor: 0, workers: 0, total: 0 };
  let pending: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    pending = sampleRss(pids).then((s) => {
      for (const key of [...RSS_GROUPS, 'total'] as const) peak[key] = Math.max(peak[key], s[key]);
    });
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await pending;
      return peak;
    },
  };
}
