import { existsSync } from 'node:fs';
import { appendFile, mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SITE_ASSETS_DIR } from '../../../contract.js';
import { WebstackError } from '../../core/errors.js';
import type { StatePaths } from '../../core/paths.js';
import { CommandFailed, run } from '../../host/local.js';
import { buildSite, copyTree } from '../release/commands.js';

/** Where a built release keeps its compiled migrations: their file names are its migration list. */
export const RELEASE_MIGRATIONS_DIR = 'dist/site/database/migrations';

/** One line of deploys.jsonl. */
export interface DeployRecord {
  action: 'deploy' | 'rollback';
  by: string;
  startedAt: string;
  finishedAt: string;
  release: string | null;
  from: string | null;
  result: 'ok' | 'failed';
  reason?: string;
}

/**
 * A contract migration removes or renames what an older release still reads (drop a column,
 * a table...). Convention: its name's verb is `contract` or `drop`, e.g.
 * 2026_12_01_0900_drop_users_legacy_name. Everything else only expands the schema.
 */
export function isContractMigration(name: string): boolean {
  return /^\d{4}_\d{2}_\d{2}_\d{4}_(contract|drop)_/.test(name);
}

/**
 * The rule for going back: a release can run on the current schema unless the database holds a
 * contract migration that release does not know. Returns those blocking migrations.
 */
export function rollbackBlockers(applied: readonly string[], known: readonly string[]): string[] {
  const knows = new Set(known);
  return applied.filter((name) => !knows.has(name) && isContractMigration(name));
}

export async function releaseMigrations(releaseDir: string): Promise<string[]> {
  const dir = join(releaseDir, RELEASE_MIGRATIONS_DIR);
  if (!existsSync(dir)) return [];
  return (await readdir(dir))
    .filter((name) => name.endsWith('.js'))
    .map((name) => name.slice(0, -3))
    .sort();
}

/** `npm ci` when the checkout has no node_modules yet, then `npm run build`; fails before anything changes. */
export async function buildCheckout(dir: string, log: (line: string) => void): Promise<void> {
  const step = async (title: string, argv: readonly [string, ...string[]]) => {
    log(title);
    try {
      await run(argv, { cwd: dir, timeoutMs: 900_000 });
    } catch (error) {
      const detail =
        error instanceof CommandFailed ? (error.result.stderr || error.result.stdout).trim() : '';
      throw new WebstackError(
        'DEPLOY_BUILD_FAILED',
        title,
        dir,
        detail ? `:\n${detail.split('\n').slice(-15).join('\n')}` : '',
        { cause: error },
      );
    }
  };
  if (!existsSync(join(dir, 'node_modules')))
    await step('installing dependencies (npm ci)', [
      'npm',
      'ci',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
    ]);
  await step('building (npm run build)', buildSite());
}

/** Copies a release's hashed assets into the shared directory Nginx serves: names never collide. */
export async function publishAssets(paths: StatePaths, releaseDir: string): Promise<void> {
  await mkdir(paths.publicAssets, { recursive: true, mode: 0o755 });
  const source = join(releaseDir, SITE_ASSETS_DIR);
  if (existsSync(source)) await run(copyTree(`${source}/.`, paths.publicAssets));
}

export async function recordDeploy(paths: StatePaths, record: DeployRecord): Promise<void> {
  await appendFile(paths.deploys, `${JSON.stringify(record)}\n`, { mode: 0o640 });
}

export async function readDeploys(paths: StatePaths): Promise<DeployRecord[]> {
  const text = await readFile(paths.deploys, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as DeployRecord);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One deploy or rollback at a time: a lock file holding the owner's pid, created exclusively.
 * A lock left by a process that no longer exists is taken over.
 */
export async function acquireDeployLock(paths: StatePaths): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(paths.deployLock, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return () => rm(paths.deployLock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(paths.deployLock, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) {
        throw new WebstackError('DEPLOY_LOCKED', owner);
      }
      await rm(paths.deployLock, { force: true });
    }
  }
  throw new WebstackError('DEPLOY_LOCK_STUCK', paths.deployLock, paths.deployLock);
}
