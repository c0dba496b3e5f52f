import type { ResolvedConfig } from '../core/config/load.js';
import { WebstackError } from '../core/errors.js';
import { localHost } from '../host/index.js';
import { publishAssets } from '../operations/deploy/assets.js';
import { buildCheckout } from '../operations/deploy/build.js';
import { type DeployRecord, recordDeploy } from '../operations/deploy/journal.js';
import { acquireDeployLock } from '../operations/deploy/lock.js';
import { activateRelease, createRelease, currentRelease, releaseDir } from '../operations/release/release.js';
import {
  type ClusterHost,
  connectHosts,
  disconnect,
  hostLayout,
  onEvery,
  operatorPaths,
  remoteWebstack,
} from './hosts.js';
import { remoteControl, remoteStatus } from './remote.js';
import { packRelease, shipRelease, shipRuntime } from './ship.js';

export interface ClusterDeployOptions {
  /** The code base to deploy, on the operator's machine. */
  dir: string;
  build: boolean;
  by: string;
  log: (host: string, line: string) => void;
}

const DEPLOY_BACKUPS_KEPT = '10';

/**
 * A rolling deploy across the cluster, from the operator's machine, under one lock and one
 * journal for the whole cluster (both in the operator's directory):
 * 1. build the release once, here, and ship it to every host (checked on arrival);
 * 2. back up the database on its host, then migrate once (expand only: the old release keeps
 *    working on the new schema);
 * 3. publish the release's assets on every lb, so a page of either release finds its own;
 * 4. one app host at a time: take it out of every lb's rotation (a graceful reload: requests in
 *    flight finish), switch it with the single server's worker-by-worker path, put it back. The
 *    first host whose release does not become ready stops the rollout: it is put back on its old
 *    release, and every host after it was never touched;
 * 5. then the lb and db hosts point `current` at it (the stack they run at their next start).
 */
export async function clusterDeploy(
  config: ResolvedConfig,
  options: ClusterDeployOptions,
): Promise<{ release: string; from: string | null; seconds: number }> {
  const operator = operatorPaths(config);
  const layout = hostLayout(config);
  await localHost.mkdir(operator.state.run, { mode: 0o700 });
  const unlock = await acquireDeployLock(localHost, operator.state);
  const hosts = connectHosts(config, operator);
  const started = Date.now();
  const from = await currentRelease(localHost, operator.state);
  let release: string | null = null;
  const record = (result: DeployRecord['result'], reason?: string) =>
    recordDeploy(localHost, operator.state, {
      action: 'deploy',
      by: options.by,
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date().toISOString(),
      release,
      from,
      result,
      ...(reason ? { reason } : {}),
    });
  const say = (line: string) => options.log('deploy', line);
  const withRole = (role: 'lb' | 'app' | 'db') => hosts.filter((host) => host.plan.host.roles.includes(role));
  try {
    if (options.build) await buildCheckout(localHost, options.dir, say);
    const id = await createRelease(localHost, operator.state, options.dir, say);
    release = id;
    await packRelease(operator, id);
    await onEvery(hosts, async (host) => {
      if (await shipRuntime(host.ssh, layout)) options.log(host.name, `shipped Node.js ${process.version}`);
      if (await shipRelease(host.ssh, operator, layout, id)) options.log(host.name, `shipped release ${id}`);
    });
    // A deploy that was killed half-way may have left an app host out of the rotation.
    for (const lb of withRole('lb')) await remoteControl(lb, layout, 'POST', '/drain', { hosts: [] });
    for (const db of withRole('db')) {
      options.log(db.name, 'backing up the database');
      const backup = await db.ssh.run(remoteWebstack(layout, ['backup', '--keep', DEPLOY_BACKUPS_KEPT]), {
        timeoutMs: 3_600_000,
      });
      options.log(db.name, backup.stdout.trim().split('\n')[0] ?? 'backed up');
    }
    const [first] = withRole('app');
    if (!first) throw new Error('an inventory always has an app host');
    options.log(first.name, 'migrating the database (once, for every host)');
    await remoteControl(first, layout, 'POST', '/migrate', { release: id });
    for (const lb of withRole('lb')) {
      await publishAssets(lb.ssh, layout.paths, releaseDir(layout.paths, id));
      options.log(lb.name, 'published the assets');
    }
    for (const app of withRole('app')) await rollOne(app, id, withRole('lb'), options);
    for (const host of hosts.filter((h) => !h.plan.host.roles.includes('app')))
      await remoteControl(host, layout, 'POST', '/switch', { release: id, by: options.by });
    await activateRelease(localHost, operator.state, id);
    await record('ok');
    return { release: id, from, seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    await record('failed', error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error));
    throw error;
  } finally {
    await disconnect(hosts);
    await unlock();
  }

  async function rollOne(
    app: ClusterHost,
    id: string,
    lbs: readonly ClusterHost[],
    o: ClusterDeployOptions,
  ): Promise<void> {
    const drain = async (names: string[]) => {
      for (const lb of lbs) await remoteControl(lb, layout, 'POST', '/drain', { hosts: names });
    };
    // Another app host must be serving before this one leaves the rotation (with one app host,
    // the worker-by-worker switch alone keeps it serving).
    const others = withRole('app').filter((other) => other !== app);
    const serving = await Promise.all(
      others.map(async (other) => {
        const s = await remoteStatus(other, layout).catch(() => null);
        return s?.running === true && s.healthy;
      }),
    );
    const draining = others.length > 0;
    if (draining && !serving.some(Boolean))
      throw new WebstackError('CLUSTER_DEPLOY_NO_PEER', app.name, others.map((o2) => o2.name).join(', '));
    try {
      if (draining) {
        await drain([app.name]);
        o.log(app.name, 'out of the rotation');
      }
      await remoteControl(app, layout, 'POST', '/switch', { release: id, by: o.by });
      o.log(app.name, `serving ${id}`);
    } catch (error) {
      const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
      throw new WebstackError('CLUSTER_DEPLOY_HOST_FAILED', id, app.name, reason, app.name, { cause: error });
    } finally {
      // Back in the rotation either way: on failure it still serves its old release.
      if (draining) {
        await drain([]).catch((error: Error) => o.log(app.name, `could not put it back: ${error.message}`));
        o.log(app.name, 'back in the rotation');
      }
    }
  }
}
