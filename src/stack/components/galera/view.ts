import { WebstackError } from '../../core/errors.js';
import { type GraState, NO_CLUSTER } from './cnf.js';

/**
 * What a node is doing, as its health agent reports it. `waiting`: mariadbd is not running; the
 * node knows its last position and waits for a primary component to join, or for an order to
 * bootstrap one. The others are Galera's own states (wsrep_local_state_comment), plus `starting`
 * (mariadbd started, not answering yet) and `stopped`.
 */
export type NodeState = 'waiting' | 'starting' | 'joining' | 'donor' | 'joined' | 'synced' | 'stopped';

export interface NodeView {
  node: string;
  state: NodeState;
  /** In the primary component (wsrep_cluster_status = Primary). */
  primary: boolean;
  /** wsrep_ready: the node takes queries. */
  ready: boolean;
  clusterSize: number;
  /** The last committed position, known while mariadbd is down (grastate.dat or --wsrep-recover). */
  position: GraState | null;
  /** About to restart (a rolling restart): it answers 503 so that HAProxy sends clients elsewhere. */
  draining: boolean;
  /** Clients may use it now: HAProxy's check answers 200. */
  serving: boolean;
  detail: string;
}

/** The state names of wsrep_local_state (1–4), as the view spells them. */
export function nodeStateOf(localState: number): NodeState {
  return (
    ({ 1: 'joining', 2: 'donor', 3: 'joined', 4: 'synced' } as Record<number, NodeState>)[localState] ??
    'joining'
  );
}

/**
 * Whether a node in the primary component may take clients: Synced, or a Donor when it is the
 * only node left (refusing then would take the whole site down for the length of a transfer).
 */
export function serves(view: Pick<NodeView, 'state' | 'primary' | 'ready' | 'clusterSize'>): boolean {
  if (!view.primary || !view.ready) return false;
  return view.state === 'synced' || (view.state === 'donor' && view.clusterSize === 1);
}

const IN_TRANSFER: readonly NodeState[] = ['starting', 'joining', 'joined', 'donor'];

/**
 * May this waiting node start and join now? Only when a peer serves in a primary component, no
 * peer is in a state transfer (two joiners at once fail one of them), and no peer listed before
 * it waits too (so that waiting nodes join one at a time, in inventory order). PEERS holds the
 * other nodes in inventory order, null for one that does not answer.
 */
export function mayJoin(self: number, peers: readonly (NodeView | null)[]): boolean {
  const answering = peers.filter((peer): peer is NodeView => peer !== null);
  if (!answering.some((peer) => peer.primary && peer.serving)) return false;
  if (answering.some((peer) => IN_TRANSFER.includes(peer.state))) return false;
  return !peers.some((peer, index) => peer?.state === 'waiting' && index < self);
}

/** Whether any answering node is in a primary component: bootstrapping another would split the cluster. */
export function primaryExists(views: readonly (NodeView | null)[]): boolean {
  return views.some((view) => view?.primary === true);
}

/**
 * The node to bootstrap a stopped cluster from: the one grastate.dat marks safe, else the most
 * advanced position. Refused when a node does not answer (it may hold the newest writes, or a
 * primary component of its own) or when nodes remember different clusters. A cluster that never
 * ran (no position anywhere) starts from the first node.
 */
export function chooseBootstrap(views: readonly (NodeView | null)[], names: readonly string[]): number {
  const missing = views.flatMap((view, index) => (view === null ? [names[index] ?? String(index)] : []));
  if (missing.length > 0) throw new WebstackError('GALERA_NODE_SILENT', missing.join(', '));
  const known = views as readonly NodeView[];
  if (primaryExists(known)) throw new WebstackError('GALERA_PRIMARY_EXISTS', primaryNames(known));
  const safe = known.findIndex((view) => view.position?.safeToBootstrap === true);
  if (safe >= 0) return safe;
  const clusters = new Set(
    known.map((view) => view.position?.uuid).filter((uuid) => uuid !== undefined && uuid !== NO_CLUSTER),
  );
  if (clusters.size > 1) throw new WebstackError('GALERA_CLUSTERS_DIFFER', [...clusters].join(', '));
  let best = 0;
  known.forEach((view, index) => {
    if ((view.position?.seqno ?? -1) > (known[best]?.position?.seqno ?? -1)) best = index;
  });
  return best;
}

function primaryNames(views: readonly NodeView[]): string {
  return views
    .filter((view) => view.primary)
    .map((view) => view.node)
    .join(', ');
}
