import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { WebstackError } from '../../core/errors.js';
import { delay } from '../../core/timing.js';
import { readTextIfExists, removePath, writeFileAtomic } from '../../host/local.js';
import { ERROR_PAGES, renderErrorPage } from './error-pages.js';
import { childPids, isAlive, nginxErrorLine, readPid, testNginxConfig } from './process.js';

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
export async function applyNginxConfig(options: ApplyNginxConfigOptions): Promise<ApplyResult> {
  const { confPath, prefix } = options;
  const text = options.render();
  const previous = await readTextIfExists(confPath);
  if (previous === text) return { changed: false, reloaded: false };

  const staged = `${confPath}.staged`;
  await writeFileAtomic(staged, text);
  try {
    await testNginxConfig(staged, prefix);
  } finally {
    await removePath(staged);
  }
  if (previous !== null) await writeFileAtomic(`${confPath}.previous`, previous);
  await writeFileAtomic(confPath, text);

  const pid = await readPid(options.pidFile);
  if (pid === null || !isAlive(pid)) return { changed: true, reloaded: false };
  const failure = await reload(pid, options.errorLog, options.timeoutMs ?? 10_000);
  if (failure === null) return { changed: true, reloaded: true };

  if (previous !== null) {
    await writeFileAtomic(confPath, previous);
    if (isAlive(pid)) await reload(pid, options.errorLog, options.timeoutMs ?? 10_000);
  }
  throw new WebstackError('NGINX_RELOAD_FAILED', failure);
}

/** SIGHUP to the master; resolves null once a new worker runs, or the reason it did not. */
async function reload(pid: number, errorLog: string, timeoutMs: number): Promise<string | null> {
  const before = await childPids(pid);
  const logOffset = await sizeOf(errorLog);
  process.kill(pid, 'SIGHUP');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await delay(50);
    if (!isAlive(pid)) return 'the nginx master exited';
    const after = await childPids(pid);
    if ([...after].some((child) => !before.has(child))) return null;
    const logged = await readFrom(errorLog, logOffset);
    if (/\[(emerg|alert|crit)\]/.test(logged)) return nginxErrorLine(logged);
  }
  return `no new worker within ${timeoutMs} ms`;
}

async function sizeOf(path: string): Promise<number> {
  return await stat(path).then(
    (s) => s.size,
    () => 0,
  );
}

async function readFrom(path: string, offset: number): Promise<string> {
  const file = await open(path, 'r').catch(() => null);
  if (file === null) return '';
  try {
    const { size } = await file.stat();
    const length = Math.min(Math.max(size - offset, 0), 64 * 1024);
    const buffer = Buffer.alloc(length);
    await file.read(buffer, 0, length, offset);
    return buffer.toString('utf8');
  } finally {
    await file.close();
  }
}

/** Writes the static pages nginx serves itself (50x, 413, 404) into DIR. */
export async function writeErrorPages(dir: string, homeUrl = '/'): Promise<void> {
  for (const [name, page] of Object.entries(ERROR_PAGES)) {
    await writeFileAtomic(join(dir, name), renderErrorPage(page, homeUrl));
  }
}
