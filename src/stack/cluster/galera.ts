import { chooseBootstrap, type NodeView, primaryExists } from '../components/galera/view.js';
import type { ResolvedConfig } from '../core/config/load.js';
import { WebstackError } from '../core/errors.js';
import { delay } from '../core/timing.js';
import {
  type ClusterHost,
  connectHosts,
  disconnect,
  type HostLayout,
  hostLayout,
  operatorPaths,
} from './hosts.js';
import { remoteControl } from './remote.js';

/** How long a cluster may take to form: a first SST of each joiner, one at a time, included. */
const FORM_TIMEOUT_MS = 600_000;

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

/** Polls each node's view until all serve in one component of N, bootstrapping a stopped cluster once. */
export async function waitForGalera(
  dbs: readonly ClusterHost[],
  layout: HostLayout,
  options: { log: (host: string, line: string) => void },
  /** Throws when a host's start-up failed (its supervisor's log says so). */
  check?: (host: ClusterHost) => Promise<void>,
): Promise<NodeView[]> {
  const names = dbs.map((host) => host.name);
  const said = new Map<string, string>();
  const began = Date.now();
  let bootstrapped = false;
  for (;;) {
    const views = await Promise.all(dbs.map((host) => galeraViewOf(host, layout)));
    views.forEach((view, index) => {
      const name = names[index] ?? '';
      const line = view ? `${view.state}: ${view.detail}` : 'no answer yet';
      if (said.get(name) !== line) options.log(name, `galera ${line}`);
      said.set(name, line);
    });
    if (views.every((view) => view?.serving && view.clusterSize === dbs.length)) return views as NodeView[];
    if (!bootstrapped && !primaryExists(views) && views.every((view) => view?.state === 'waiting')) {
      const chosen = dbs[chooseBootstrap(views, names)];
      if (chosen) {
        options.log(
          chosen.name,
          'galera: no primary component runs; bootstrapping from this node (the most advanced)',
        );
        await remoteControl(chosen, layout, 'POST', '/galera/bootstrap', { force: false });
        bootstrapped = true;
      }
    }
    const waited = Date.now() - began;
    // A node that never answers blocks the choice: say which, and how the operator decides.
    if (!primaryExists(views) && views.some((view) => view === null) && waited > 120_000)
      chooseBootstrap(views, names);
    if (waited > FORM_TIMEOUT_MS)
      throw new WebstackError(
        'GALERA_TIMEOUT',
        FORM_TIMEOUT_MS / 1000,
        views.map((view, index) => `${names[index]} ${view?.detail ?? 'silent'}`).join('; '),
      );
    if (check) for (const host of dbs) await check(host);
    await delay(1_000);
  }
}

/** A node's view from its supervisor (over SSH), or null when it does not answer. */
export async function galeraViewOf(host: ClusterHost, layout: HostLayout): Promise<NodeView | null> {
  return await remoteControl<NodeView>(host, layout, 'GET', '/galera').catch(() => null);
}
