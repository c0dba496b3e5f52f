import { isAbsolute } from 'node:path';
import { WebstackError } from '../../core/errors.js';
import type { DeployRequest } from '../../supervisor/control/types.js';
import type { Stack } from '../../supervisor/stack.js';
import { createBackup } from '../backup/backup.js';
import {
  activateRelease,
  createRelease,
  currentRelease,
  listReleases,
  releaseDir,
} from '../release/release.js';
import { runSiteCli } from '../site-cli.js';
import { publishAssets } from './assets.js';
import { buildCheckout } from './build.js';
import { type DeployRecord, recordDeploy } from './journal.js';
import { acquireDeployLock } from './lock.js';
import { releaseMigrations, rollbackBlockers } from './rules.js';
import { appliedMigrations } from './schema.js';

export type { DeployRequest } from '../../supervisor/control/types.js';

export interface DeployResult {
  release: string;
  from: string | null;
  backup: string | null;
  seconds: number;
}

/** Backups kept by deploys (each deploy takes one before it migrates). */
const DEPLOY_BACKUPS_KEPT = 10;

/**
 * Deploy and rollback, run inside the supervisor (it owns the workers). A release becomes
 * `current` only after every worker of it answered ready; until then the old one serves.
 */
export class Deployer {
  constructor(private readonly stack: Stack) {}

  async deploy(request: DeployRequest): Promise<DeployResult> {
    if (typeof request?.dir !== 'string' || !isAbsolute(request.dir) || typeof request.by !== 'string') {
      throw new WebstackError('BAD_REQUEST', 'deploy needs an absolute directory');
    }
    return await this.locked('deploy', request.by, async (note) => {
      const { host, config, paths, log } = this.stack;
      if (request.build) await buildCheckout(host, request.dir, log);
      const release = await createRelease(host, paths, request.dir, log);
      note(release);
      let switched = false;
      try {
        let backup: string | null = null;
        if (config.database.mode === 'managed') {
          log(`deploy ${release}: backing up the database`);
          backup = (await createBackup(host, config, paths, { keep: DEPLOY_BACKUPS_KEPT })).file;
        }
        log(`deploy ${release}: migrating (expand only: the running release keeps working)`);
        const migrated = await runSiteCli(host, config, paths, ['migrate'], { role: 'migrator', release });
        if (migrated.stdout.trim()) log(migrated.stdout.trim());
        await this.switchTo(release);
        switched = true;
        return { release, backup };
      } finally {
        if (!switched) await host.remove(releaseDir(paths, release));
      }
    });
  }

  async rollback(by: string): Promise<DeployResult> {
    return await this.locked('rollback', by, async (note) => {
      const { host, paths } = this.stack;
      const current = await currentRelease(host, paths);
      const older = (await listReleases(host, paths)).filter((id) => current === null || id < current);
      const target = older.at(-1);
      if (target === undefined) {
        throw new WebstackError('NO_PREVIOUS_RELEASE');
      }
      note(target);
      const blockers = rollbackBlockers(
        await this.appliedMigrations(),
        await releaseMigrations(host, releaseDir(paths, target)),
      );
      if (blockers.length > 0) {
        throw new WebstackError('ROLLBACK_SCHEMA', target, blockers.join(', '));
      }
      await this.switchTo(target);
      return { release: target, backup: null };
    });
  }

  /**
   * On a host of a cluster: switches to a release the operator built and shipped here (the
   * operator backed up and migrated once for the whole cluster), the same way as a deploy.
   */
  async switchShipped(release: string, by: string): Promise<DeployResult> {
    return await this.locked('deploy', by, async (note) => {
      const { host, paths } = this.stack;
      if (!(await host.exists(releaseDir(paths, release))))
        throw new WebstackError('RELEASE_NOT_SHIPPED', release, releaseDir(paths, release));
      note(release);
      await this.switchTo(release);
      return { release, backup: null };
    });
  }

  /**
   * Publishes assets (where Nginx runs), rolls the workers over (where the app runs; throws when
   * the release is not ready), points `current` at it.
   */
  private async switchTo(release: string): Promise<void> {
    const { host, paths, log } = this.stack;
    const app = this.stack.app;
    if (this.stack.runs('appserver') && !app) throw new WebstackError('APP_NOT_RUNNING');
    if (this.stack.runs('nginx')) await publishAssets(host, paths, releaseDir(paths, release));
    if (app) {
      log(`switching to ${release}: new workers start beside the old ones`);
      // A WorkerFailed says the old release keeps serving and carries the worker's last lines.
      await app.deploy(releaseDir(paths, release), release);
    }
    await activateRelease(host, paths, release);
    log(`release ${release} is live`);
  }

  /** The migrations the database records, by name (where the database runs). */
  async appliedMigrations(): Promise<string[]> {
    return await appliedMigrations(this.stack.config, this.stack.paths);
  }

  /** Runs one deploy or rollback under the lock and records it, whatever the outcome. */
  private async locked(
    action: DeployRecord['action'],
    by: string,
    work: (note: (release: string) => void) => Promise<{ release: string; backup: string | null }>,
  ): Promise<DeployResult> {
    const { host, paths, log } = this.stack;
    const release = await acquireDeployLock(host, paths);
    const started = Date.now();
    const from = await currentRelease(host, paths);
    let target: string | null = null;
    const record = (result: DeployRecord['result'], reason?: string) =>
      recordDeploy(host, paths, {
        action,
        by,
        startedAt: new Date(started).toISOString(),
        finishedAt: new Date().toISOString(),
        release: target,
        from,
        result,
        ...(reason ? { reason } : {}),
      });
    try {
      const done = await work((id) => {
        target = id;
      });
      await record('ok');
      return { ...done, from, seconds: (Date.now() - started) / 1000 };
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      log(`${action} failed: ${reason}`);
      await record('failed', reason);
      throw error;
    } finally {
      await release();
    }
  }
}
