import { join } from 'node:path';
import { WebstackError } from '../../core/errors.js';
import { delay } from '../../core/timing.js';
import type { Host } from '../../host/host.js';
import { ERROR_PAGES, renderErrorPage } from './error-pages.js';
import { childPids, nginxErrorLine, readPid, testNginxConfig } from './process.js';

export interface ApplyNginxConfigOptions {
  confPath: string;
  prefix: string;
  /** Produces the new config text (see templates/nginx-conf.ts). */
  render: () => string;
  /** The running master's pid file; when no master runs, the config is only swapped in. */
  pidFile: string;
  /** Where nginx reports a reload that failed after `nginx -t` passed (e.g. a port in use). */
  errorLog: string;
  timeoutMs?: number;
  /** Check and reload even when the text is unchanged: files it names changed (a renewed certificate). */
  force?: boolean;
}

export interface ApplyResult {
  changed: boolean;
  reloaded: boolean;
}

/**
 * Swaps in a new nginx config without a restart: stage, `nginx -t`, keep the previous copy, swap,
 * SIGHUP the master, and check new workers came up. On any failure the previous config is put back
 * (and reloaded) and a WebstackError carries nginx's own error line.
 */
export async function applyNginxConfig(host: Host, options: ApplyNginxConfigOptions): Promise<ApplyResult> {
  const { confPath, prefix } = options;
  const text = options.render();
  const previous = await host.readText(confPath);
  if (previous === text && !options.force) return { changed: false, reloaded: false };

  const staged = `${confPath}.staged`;
  await host.writeAtomic(staged, text, { mode: 0o644 });
  try {
    await testNginxConfig(staged, prefix, host);
  } finally {
    await host.remove(staged);
  }
  if (previous !== null) await host.writeAtomic(`${confPath}.previous`, previous, { mode: 0o644 });
  await host.writeAtomic(confPath, text, { mode: 0o644 });

  const pid = await readPid(host, options.pidFile);
  if (pid === null || !(await host.isAlive(pid))) return { changed: true, reloaded: false };
  const failure = await reload(host, pid, options.errorLog, options.timeoutMs ?? 10_000);
  if (failure === null) return { changed: true, reloaded: true };

  if (previous !== null) {
    await host.writeAtomic(confPath, previous, { mode: 0o644 });
    if (await host.isAlive(pid)) await reload(host, pid, options.errorLog, options.timeoutMs ?? 10_000);
  }
  throw new WebstackError('NGINX_RELOAD_FAILED', failure);
}

/** SIGHUP to the master; resolves null once a new worker runs, or the reason it did not. */
async function reload(host: Host, pid: number, errorLog: string, timeoutMs: number): Promise<string | null> {
  const before = await childPids(host, pid);
  const logOffset = (await host.stat(errorLog))?.size ?? 0;
  if (!(await host.signal(pid, 'SIGHUP'))) return 'the nginx master exited';
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await delay(50);
    if (!(await host.isAlive(pid))) return 'the nginx master exited';
    const after = await childPids(host, pid);
    if ([...after].some((child) => !before.has(child))) return null;
    const logged = (await host.readText(errorLog, { offset: logOffset, maxBytes: 64 * 1024 })) ?? '';
    if (/\[(emerg|alert|crit)\]/.test(logged)) return nginxErrorLine(logged);
  }
  return `no new worker within ${timeoutMs} ms`;
}

/** Writes the static pages nginx serves itself (50x, 413, 404) into DIR. */
export async function writeErrorPages(host: Host, dir: string, homeUrl = '/'): Promise<void> {
  for (const [name, page] of Object.entries(ERROR_PAGES)) {
    await host.writeAtomic(join(dir, name), renderErrorPage(page, homeUrl), { mode: 0o644 });
  }
}
