/**
 * The cluster worker entry: runs one release of the site. It imports the release's entry point,
 * starts it on the shared port, reports 'ready' once the site says it is alive and ready, and on
 * 'drain' (or SIGTERM) closes the site gracefully and exits. Its stdout/stderr go to the supervisor.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HEALTH_PATH, READY_PATH, SITE_ENTRY, type SiteHandle, type SiteStart } from '../../../contract.js';
import { WebstackError } from '../../core/errors.js';
import { isPrimaryMessage, type PrimaryMessage, RELEASE_DIR_ENV, type WorkerMessage } from './protocol.js';

const READY_POLL_MS = 250;

let site: Promise<SiteHandle | null> | null = null;
let handle: SiteHandle | null = null;
let draining = false;
let drainTimeoutMs = 10_000;

/** One JSON line, shaped like the site's pino lines so that `webstack logs app` reads them alike. */
function log(level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}): void {
  const levels = { info: 30, warn: 40, error: 50 };
  const line = { level: levels[level], time: Date.now(), pid: process.pid, name: 'appserver-worker', msg };
  process.stdout.write(`${JSON.stringify({ ...line, ...fields })}\n`);
}

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(message, undefined, undefined, () => resolve());
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

async function fail(reason: string): Promise<never> {
  log('error', reason);
  await send({ type: 'failed', reason });
  process.exit(1);
}

async function loadSite(releaseDir: string): Promise<SiteStart> {
  const entry = join(releaseDir, SITE_ENTRY);
  const module: { start?: unknown } = await import(pathToFileURL(entry).href);
  if (typeof module.start !== 'function') throw new WebstackError('RELEASE_NO_START', entry);
  return module.start as SiteStart;
}

async function begin(message: Extract<PrimaryMessage, { type: 'start' }>): Promise<void> {
  drainTimeoutMs = message.drainTimeoutMs;
  const releaseDir = process.env[RELEASE_DIR_ENV];
  if (!releaseDir) return fail(`${RELEASE_DIR_ENV} is not set`);
  const deadline = Date.now() + message.readyTimeoutMs;
  site = loadSite(releaseDir).then((start) => start(message.settings));
  let started: SiteHandle | null;
  try {
    started = await site;
  } catch (error) {
    return fail(`the site's start() failed: ${describe(error)}`);
  }
  if (!started) return fail("the site's start() returned nothing");
  handle = started;
  log('info', 'site started', { release: message.settings.release });
  // The database may be down for a moment: readiness is retried until the deadline.
  let last = { health: 0, ready: 0 };
  while (!draining) {
    last = { health: await probe(HEALTH_PATH), ready: await probe(READY_PATH) };
    if (last.health === 200 && last.ready === 200) {
      // Only a ready site joins the round-robin of the shared port.
      try {
        await started.listen();
      } catch (error) {
        await closeSite();
        return fail(`the site could not listen: ${describe(error)}`);
      }
      return send({ type: 'ready' });
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  if (draining) return;
  const seconds = Math.round(message.readyTimeoutMs / 1000);
  const reason = `not ready within ${seconds}s: ${HEALTH_PATH} answered ${last.health}, ${READY_PATH} answered ${last.ready}`;
  await closeSite();
  return fail(reason);
}

async function probe(path: string): Promise<number> {
  if (!handle) return 0;
  try {
    return await handle.probe(path);
  } catch (error) {
    log('warn', `probe ${path} threw`, { err: describe(error) });
    return 0;
  }
}

/** Closes the site within the drain bound; true when it closed in time. */
async function closeSite(): Promise<boolean> {
  const started = await (site ?? Promise.resolve(null)).catch(() => null);
  if (!started) return true;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), drainTimeoutMs);
  });
  const closed = started.close().then(
    () => true,
    (error: unknown) => {
      log('error', 'close() failed', { err: describe(error) });
      return false;
    },
  );
  const clean = await Promise.race([closed, timeout]);
  clearTimeout(timer);
  return clean;
}

async function drain(): Promise<void> {
  if (draining) return;
  draining = true;
  log('info', 'draining');
  const clean = await closeSite();
  if (!clean) log('warn', `in-flight requests still open after ${drainTimeoutMs} ms: exiting anyway`);
  process.exit(clean ? 0 : 1);
}

process.on('message', (message: unknown) => {
  if (!isPrimaryMessage(message)) return;
  if (message.type === 'start') void begin(message);
  else if (message.type === 'drain') void drain();
  else {
    const { id, path } = message;
    void (handle ? probe(path) : Promise.resolve(null)).then((status) =>
      send({ type: 'probed', id, status }),
    );
  }
});
process.on('SIGTERM', () => void drain());
process.on('SIGINT', () => void drain());
process.on('uncaughtException', (error) => {
  log('error', 'uncaught exception', { err: error.stack ?? describe(error) });
  process.exit(1);
});

void send({ type: 'hello' });
