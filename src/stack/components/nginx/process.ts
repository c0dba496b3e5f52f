import { dirname } from 'node:path';
import { WebstackError } from '../../core/errors.js';
import { accepts } from '../../core/ports.js';
import { delay, settlesWithin } from '../../core/timing.js';
import { type Child, type Host, localHost } from '../../host/index.js';
import * as nginx from './commands.js';
import type { Endpoint } from './conf.js';

export interface NginxProcess {
  pid: number;
  child: Child;
  /** Graceful stop: SIGQUIT (finish in-flight requests), then SIGTERM, then SIGKILL. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartNginxOptions {
  conf: string;
  prefix: string;
  pidFile: string;
  errorLog: string;
  /** Waits until this address accepts connections. */
  listen?: Endpoint;
  timeoutMs?: number;
}

/** The first [emerg]/[alert]/[crit] line nginx printed: the reason, without the noise around it. */
export function nginxErrorLine(output: string): string {
  const lines = output.split('\n').map((line) => line.trim());
  return (
    lines.find((line) => /\[(emerg|alert|crit)\]/.test(line)) ?? lines.filter(Boolean).at(-1) ?? 'no output'
  );
}

/** Runs `nginx -t` on CONF; throws NGINX_CONFIG_INVALID with nginx's own error line. (Host last: doctor calls it so.) */
export async function testNginxConfig(conf: string, prefix: string, host: Host = localHost): Promise<void> {
  const result = await host.run(nginx.test(conf, prefix), { okCodes: [0, 1] });
  if (result.code !== 0) {
    throw new WebstackError('NGINX_CONFIG_INVALID', nginxErrorLine(result.stderr + result.stdout));
  }
}

/** Starts nginx in the foreground as a child of this process and waits until it serves. */
export async function startNginx(host: Host, options: StartNginxOptions): Promise<NginxProcess> {
  await host.mkdir(dirname(options.pidFile), { mode: 0o755 });
  await host.mkdir(dirname(options.errorLog), { mode: 0o755 });
  await testNginxConfig(options.conf, options.prefix, host);
  const child = host.start(nginx.run(options.conf, options.prefix), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-8192);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const pid = child.pid;
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  const failed = (reason: string) => new WebstackError('NGINX_START_FAILED', reason);
  while (true) {
    const state = await Promise.race([
      exited.then(() => 'exited'),
      spawnError.then(() => 'error'),
      delay(50),
    ]);
    if (state === 'exited' || state === 'error' || pid === undefined) throw failed(nginxErrorLine(stderr));
    if (
      (await readPid(host, options.pidFile)) === pid &&
      (!options.listen || (await accepts(options.listen)))
    )
      break;
    if (Date.now() > deadline) {
      await stopPid(host, pid, exited, 2000);
      throw failed(`not serving after ${options.timeoutMs ?? 10_000} ms: ${nginxErrorLine(stderr)}`);
    }
  }
  return { pid, child, stop: (graceMs = 10_000) => stopPid(host, pid, exited, graceMs) };
}

/** Stops an nginx master that this process did not start (e.g. found through its pid file). */
export async function stopNginxByPid(host: Host, pid: number, graceMs = 10_000): Promise<void> {
  const exited = (async () => {
    while (await host.isAlive(pid)) await delay(50);
  })();
  await stopPid(host, pid, exited, graceMs);
}

async function stopPid(host: Host, pid: number, exited: Promise<void>, graceMs: number): Promise<void> {
  for (const [signal, waitMs] of [
    ['SIGQUIT', graceMs],
    ['SIGTERM', 2000],
    ['SIGKILL', 2000],
  ] as const) {
    // false: already gone
    if (!(await host.signal(pid, signal).catch(() => false))) return;
    if (await settlesWithin(exited, waitMs)) return;
  }
}

/** The master's pid from its pid file, or null. */
export async function readPid(host: Host, pidFile: string): Promise<number | null> {
  const text = await host.readText(pidFile);
  const pid = Number(text?.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** The pids of the master's children (its workers): this kernel has no /proc/PID/task/children. */
export async function childPids(host: Host, parent: number): Promise<Set<number>> {
  return new Set((await host.processes()).filter((p) => p.ppid === parent).map((p) => p.pid));
}
