import type { NodeView } from '../components/galera/view.js';
import type { ResolvedConfig } from '../core/config/load.js';
import { WebstackError } from '../core/errors.js';
import { type ClusterHost, connectHosts, disconnect, hostLayout, operatorPaths } from './hosts.js';
import { remoteControl } from './remote.js';
import { galeraViewOf, waitForGalera } from './up.js';

/** How long a node answers 503 before it restarts: HAProxy checks each second and leaves after two failures. */
export const DRAIN_MS = 3_500;

type Log = (host: string, line: string) => void;

/** The db hosts of a Galera cluster, connected; GALERA_NOT_CLUSTER with one database server. */
function galeraHosts(config: ResolvedConfig): { all: ClusterHost[]; dbs: ClusterHost[] } {
  const all = connectHosts(config, operatorPaths(config));
  const dbs = all.filter((host) => host.plan.galera && host.plan.host.roles.includes('db'));
  if (dbs.length === 0) throw new WebstackError('GALERA_NOT_CLUSTER');
  return { all, dbs };
}

/**
 * `webstack db bootstrap --from NODE [--force]`: the operator's own choice of the node a stopped
 * cluster starts from (when `up` refuses to choose). The node refuses while any peer runs a primary
 * component; --force also starts it when a peer does not answer.
 */
export async function galeraBootstrap(
  config: ResolvedConfig,
  from: string,
  force: boolean,
  log: Log,
): Promise<NodeView[]> {
  const { all, dbs } = galeraHosts(config);
  const layout = hostLayout(config);
  try {
    const node = dbs.find((host) => host.name === from);
    if (!node) throw new WebstackError('GALERA_UNKNOWN_NODE', from, dbs.map((host) => host.name).join(', '));
    await remoteControl(node, layout, 'POST', '/galera/bootstrap', { force });
    log(node.name, 'galera: bootstrapped a new primary component; the other nodes join it');
    return force ? [] : await waitForGalera(dbs, layout, { log });
  } finally {
    await disconnect(all);
  }
}

/**
 * `webstack db restart --rolling`: one node at a time, each turned away from HAProxy, restarted,
 * rejoined and Synced, and the cluster whole again, before the next. The writer goes last but one
 * no more than any other: HAProxy's stick table moves it once and keeps it.
 */
export async function galeraRollingRestart(
  config: ResolvedConfig,
  log: Log,
): Promise<{ host: string; seconds: number }[]> {
  const { all, dbs } = galeraHosts(config);
  const layout = hostLayout(config);
  const took: { host: string; seconds: number }[] = [];
  try {
    await waitForGalera(dbs, layout, { log: () => {} });
    for (const node of dbs) {
      const began = Date.now();
      log(node.name, 'galera: draining, restarting, rejoining');
      await remoteControl(node, layout, 'POST', '/galera/restart', { drainMs: DRAIN_MS });
      await waitForGalera(dbs, layout, { log: () => {} });
      const seconds = (Date.now() - began) / 1000;
      took.push({ host: node.name, seconds });
      log(node.name, `galera: Synced again after ${seconds.toFixed(1)} s`);
    }
    return took;
  } finally {
    await disconnect(all);
  }
}

/** Each node's view, for `status`. */
export async function galeraViews(
  config: ResolvedConfig,
): Promise<{ host: string; view: NodeView | null }[]> {
  const { all, dbs } = galeraHosts(config);
  const layout = hostLayout(config);
  try {
    return await Promise.all(
      dbs.map(async (host) => ({ host: host.name, view: await galeraViewOf(host, layout) })),
    );
  } finally {
    await disconnect(all);
  }
}
