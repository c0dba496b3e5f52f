import type { ResolvedConfig } from '../core/config/load.js';
import { WebstackError } from '../core/errors.js';
import { localHost } from '../host/index.js';
import { publishAssets } from '../operations/deploy/assets.js';
import { buildCheckout } from '../operations/deploy/build.js';
import { type DeployRecord, recordDeploy } from '../operations/deploy/journal.js';
import { acquireDeployLock } from '../operations/deploy/lock.js';
import { releaseMigrations, rollbackBlockers } from '../operations/deploy/rules.js';
import {
  activateRelease,
  createRelease,
  currentRelease,
  listReleases,
  releaseDir,
} from '../operations/release/release.js';
import {
  type ClusterHost,
  connectHosts,
  disconnect,
  type HostLayout,
  hostLayout,
  type OperatorPaths,
  onEvery,
  operatorPaths,
  remoteWebstack,
} from './hosts.js';
import { remoteControl, remoteStatus } from './remote.js';
import { packRelease, shipRelease, shipRuntime } from './ship.js';

export interface ClusterRollOptions {
  by: string;
  log: (host: string, line: string) => void;
  /** Aborted (Ctrl-C): the rollout stops before its next step and undoes what it switched. */
  signal?: AbortSignal;
}

export interface ClusterDeployOptions extends ClusterRollOptions {
  /** The code base to deploy, on the operator's machine. */
  dir: string;
  build: boolean;
}

export interface ClusterDeployResult {
  release: string;
  from: string | null;
  seconds: number;
}

const DEPLOY_BACKUPS_KEPT = '10';

/**
 * A rolling deploy across the cluster, from the operator's machine, under one lock and one
 * journal for the whole cluster (both in the operator's directory):
 * 1. build the release once, here, and ship it to every host (checked on arrival);
 * 2. back up the database on its host, then migrate once (expand only: the old release keeps
 *    working on the new schema);
 * 3. roll every host over to it (see `Rollout.rollTo`). A failure or Ctrl-C puts the app hosts
 *    already switched back on the release they ran: the cluster never stays half-deployed.
 */
export async function clusterDeploy(
  config: ResolvedConfig,
  options: ClusterDeployOptions,
): Promise<ClusterDeployResult> {
  return await underLock(config, 'deploy', options, async (rollout) => {
    const say = (line: string) => options.log('deploy', line);
    if (options.build) await buildCheckout(localHost, options.dir, say);
    const id = await createRelease(localHost, rollout.operator.state, options.dir, say);
    rollout.target = id;
    await rollout.prepare(id);
    for (const db of rollout.withRole('db')) {
      rollout.checkpoint();
      options.log(db.name, 'backing up the database');
      const backup = await db.ssh.run(
        remoteWebstack(rollout.layout, ['backup', '--keep', DEPLOY_BACKUPS_KEPT]),
        { timeoutMs: 3_600_000 },
      );
      options.log(db.name, backup.stdout.trim().split('\n')[0] ?? 'backed up');
    }
    rollout.checkpoint();
    const [first] = rollout.withRole('app');
    if (!first) throw new Error('an inventory always has an app host');
    options.log(first.name, 'migrating the database (once, for every host)');
    await remoteControl(first, rollout.layout, 'POST', '/migrate', { release: id });
    await rollout.rollTo(id);
  });
}

/**
 * `webstack rollback` across the cluster: the release before the operator's current one, rolled
 * out the same way, one app host at a time. Refused, before any host changes, when the database
 * holds a contract migration that release does not know.
 */
export async function clusterRollback(
  config: ResolvedConfig,
  options: ClusterRollOptions,
): Promise<ClusterDeployResult> {
  return await underLock(config, 'rollback', options, async (rollout) => {
    const { operator, layout } = rollout;
    const older = (await listReleases(localHost, operator.state)).filter(
      (id) => rollout.from === null || id < rollout.from,
    );
    const target = older.at(-1);
    if (target === undefined) throw new WebstackError('NO_PREVIOUS_RELEASE');
    rollout.target = target;
    const [db] = rollout.withRole('db');
    if (!db) throw new Error('an inventory always has a db host');
    const { applied } = await remoteControl<{ applied: string[] }>(db, layout, 'GET', '/schema');
    const blockers = rollbackBlockers(
      applied,
      await releaseMigrations(localHost, releaseDir(operator.state, target)),
    );
    if (blockers.length > 0) throw new WebstackError('ROLLBACK_SCHEMA', target, blockers.join(', '));
    await packRelease(operator, target);
    await rollout.prepare(target);
    await rollout.rollTo(target);
  });
}

/** One deploy or rollback in progress: the hosts, what it goes to, and where it came from. */
class Rollout {
  target: string | null = null;

  constructor(
    readonly operator: OperatorPaths,
    readonly layout: HostLayout,
    readonly hosts: readonly ClusterHost[],
    /** The release the operator's last deploy or rollback left the cluster on. */
    readonly from: string | null,
    private readonly options: ClusterRollOptions,
  ) {}

  withRole(role: 'lb' | 'app' | 'db'): ClusterHost[] {
    return this.hosts.filter((host) => host.plan.host.roles.includes(role));
  }

  /** Stops between steps once the operator asked to (Ctrl-C). */
  checkpoint(): void {
    if (this.options.signal?.aborted) throw new WebstackError('CLUSTER_DEPLOY_INTERRUPTED');
  }

  /**
   * The runtime and the release onto every host, then every app host back in each lb's rotation:
   * a deploy that was killed half-way may have left one out.
   */
  async prepare(id: string): Promise<void> {
    const { log } = this.options;
    await packRelease(this.operator, id);
    await onEvery(this.hosts, async (host) => {
      if (await shipRuntime(host.ssh, this.layout)) log(host.name, `shipped Node.js ${process.version}`);
      if (await shipRelease(host.ssh, this.operator, this.layout, id))
        log(host.name, `shipped release ${id}`);
    });
    await this.drain([]);
  }

  /**
   * 1. publish the release's assets on every lb, so a page of either release finds its own;
   * 2. one app host at a time: out of every lb's rotation (a graceful reload: requests in flight
   *    finish), switched with the single server's worker-by-worker path, back in. When a host
   *    fails (or the operator stops), the hosts switched before it go back to `from`, the same
   *    way, and the hosts after it were never touched;
   * 3. then the lb and db hosts point `current` at it (the stack they run at their next start).
   */
  async rollTo(id: string): Promise<void> {
    const { log } = this.options;
    for (const lb of this.withRole('lb')) {
      await publishAssets(lb.ssh, this.layout.paths, releaseDir(this.layout.paths, id));
      log(lb.name, 'published the assets');
    }
    const switched: ClusterHost[] = [];
    try {
      for (const app of this.withRole('app')) {
        this.checkpoint();
        await this.switchOne(app, id);
        switched.push(app);
      }
    } catch (error) {
      const stuck = await this.undo(switched);
      if (stuck.length > 0) {
        const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
        throw new WebstackError('CLUSTER_UNDO_INCOMPLETE', reason, stuck.join(', '), id, { cause: error });
      }
      throw error;
    }
    for (const host of this.hosts.filter((h) => !h.plan.host.roles.includes('app')))
      await remoteControl(host, this.layout, 'POST', '/switch', { release: id, by: this.options.by });
    await activateRelease(localHost, this.operator.state, id);
  }

  /**
   * The app hosts a failed rollout switched, back on `from`, last first. Returns those that could
   * not be put back (each failure is logged): they still run the new release.
   */
  private async undo(switched: readonly ClusterHost[]): Promise<string[]> {
    const { from } = this;
    if (from === null) return switched.map((h) => h.name);
    if (switched.length === 0) return [];
    this.options.log('deploy', `putting ${switched.map((h) => h.name).join(', ')} back on ${from}`);
    const stuck: string[] = [];
    for (const app of [...switched].reverse())
      await this.switchOne(app, from).catch((error: Error) => {
        this.options.log(app.name, `could not put it back on ${from}: ${error.message}`);
        stuck.push(app.name);
      });
    return stuck;
  }

  private async drain(names: string[]): Promise<void> {
    for (const lb of this.withRole('lb'))
      await remoteControl(lb, this.layout, 'POST', '/drain', { hosts: names });
  }

  private async switchOne(app: ClusterHost, id: string): Promise<void> {
    const { log, by } = this.options;
    // Another app host must be serving before this one leaves the rotation (with one app host,
    // the worker-by-worker switch alone keeps it serving).
    const others = this.withRole('app').filter((other) => other !== app);
    const serving = await Promise.all(
      others.map(async (other) => {
        const s = await remoteStatus(other, this.layout).catch(() => null);
        return s?.running === true && s.healthy;
      }),
    );
    const draining = others.length > 0;
    if (draining && !serving.some(Boolean))
      throw new WebstackError('CLUSTER_DEPLOY_NO_PEER', app.name, others.map((o) => o.name).join(', '));
    try {
      if (draining) {
        await this.drain([app.name]);
        log(app.name, 'out of the rotation');
      }
      await remoteControl(app, this.layout, 'POST', '/switch', { release: id, by });
      log(app.name, `serving ${id}`);
    } catch (error) {
      const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
      throw new WebstackError('CLUSTER_DEPLOY_HOST_FAILED', id, app.name, reason, app.name, { cause: error });
    } finally {
      // Back in the rotation either way: on failure it still serves its old release.
      if (draining) {
        await this.drain([]).catch((error: Error) =>
          log(app.name, `could not put it back: ${error.message}`),
        );
        log(app.name, 'back in the rotation');
      }
    }
  }
}

/** Runs one deploy or rollback under the cluster's lock, connected to every host, and journals it. */
async function underLock(
  config: ResolvedConfig,
  action: DeployRecord['action'],
  options: ClusterRollOptions,
  work: (rollout: Rollout) => Promise<void>,
): Promise<ClusterDeployResult> {
  const operator = operatorPaths(config);
  await localHost.mkdir(operator.state.run, { mode: 0o700 });
  const unlock = await acquireDeployLock(localHost, operator.state);
  const hosts = connectHosts(config, operator);
  const started = Date.now();
  const rollout = new Rollout(
    operator,
    hostLayout(config),
    hosts,
    await currentRelease(localHost, operator.state),
    options,
  );
  const record = (result: DeployRecord['result'], reason?: string) =>
    recordDeploy(localHost, operator.state, {
      action,
      by: options.by,
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date().toISOString(),
      release: rollout.target,
      from: rollout.from,
      result,
      ...(reason ? { reason } : {}),
    });
  try {
    await work(rollout);
    await record('ok');
    if (rollout.target === null) throw new Error('a rollout names its release');
    return { release: rollout.target, from: rollout.from, seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    await record('failed', error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error));
    throw error;
  } finally {
    await disconnect(hosts);
    await unlock();
  }
}
