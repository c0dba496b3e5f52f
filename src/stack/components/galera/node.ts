import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { WebstackError } from '../../core/errors.js';
import { delay } from '../../core/timing.js';
import type { Host } from '../../host/host.js';
import * as mariadb from '../mariadb/commands.js';
import { adminOverSocket } from '../mariadb/health.js';
import type { RunAs } from '../mariadb/setup.js';
import {
  GALERA_CHECK_PORT,
  type GraState,
  markSafeToBootstrap,
  parseGraState,
  parseRecoveredPosition,
} from './cnf.js';
import { mayJoin, type NodeView, nodeStateOf, primaryExists, serves } from './view.js';

export interface GaleraPeer {
  name: string;
  address: string;
}

/** How this node starts mariadbd next: as the first node of a new primary component, or joining one. */
type Start = { bootstrap: boolean };

/**
 * One node of the cluster, as its host's supervisor runs it. Before every start of mariadbd (the
 * first one, and each restart after a crash) it recovers its last position, then waits: it joins
 * when a peer serves a primary component and no other node is in a state transfer, or it
 * bootstraps when the operator's `up` (or `db bootstrap`) tells it to. Its health agent answers
 * on ADDRESS:9200 with its view: 200 when clients may use it (HAProxy's check), 503 otherwise.
 */
export class GaleraNode {
  private waiting: { position: GraState | null; go: (start: Start) => void } | null = null;
  private running = false;
  private draining = false;
  private stopping = false;
  /** Set once the database and its accounts exist on this node (provisioned after the first start). */
  provisioned = false;
  private agent: Server | null = null;
  private lastView: { at: number; view: NodeView } | null = null;

  constructor(
    private readonly host: Host,
    private readonly o: {
      name: string;
      address: string;
      /** Every node of the cluster, this one included, in inventory order. */
      nodes: readonly GaleraPeer[];
      configFile: string;
      dataDir: string;
      socket: string;
      /** Where --wsrep-recover writes what it finds. */
      recoverLog: string;
      runAs: RunAs | undefined;
      log: (line: string) => void;
    },
  ) {}

  private get peers(): GaleraPeer[] {
    return this.o.nodes.filter((node) => node.name !== this.o.name);
  }

  private get grastate(): string {
    return join(this.o.dataDir, 'grastate.dat');
  }

  /** The health agent on ADDRESS:9200 (HAProxy's check; the peers' and the operator's view of this node). */
  async serveAgent(): Promise<void> {
    const server = createServer((req, res) => {
      void this.view().then(
        (view) => {
          res.writeHead(view.serving ? 200 : 503, { 'content-type': 'application/json' });
          res.end(`${JSON.stringify(view)}\n`);
        },
        () => res.writeHead(503).end('{}\n'),
      );
      req.resume();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(GALERA_CHECK_PORT, this.o.address, () => resolve());
    });
    this.agent = server;
  }

  /**
   * The mariadbd arguments of the next start, once this node may start: its position recovered,
   * then a wait for a primary to join (or an order to bootstrap). Throws STACK_STOPPING when the
   * supervisor stops meanwhile.
   */
  async nextStart(): Promise<string[]> {
    this.running = false;
    const position = await this.recoverPosition();
    const start = await new Promise<Start>((resolve) => {
      this.waiting = { position, go: resolve };
      void this.watchPeers();
    });
    this.waiting = null;
    if (this.stopping) throw new WebstackError('STACK_STOPPING');
    this.running = true;
    const args: string[] = [];
    if (start.bootstrap) args.push('--wsrep-new-cluster');
    if (position && position.seqno >= 0)
      args.push(`--wsrep_start_position=${position.uuid}:${position.seqno}`);
    this.o.log(
      start.bootstrap
        ? `galera: bootstrapping a new primary component from ${describe(position)}`
        : `galera: joining the cluster from ${describe(position)}`,
    );
    return args;
  }

  /** Polls the peers while waiting; releases the wait when this node may join. */
  private async watchPeers(): Promise<void> {
    const self = this.o.nodes.findIndex((node) => node.name === this.o.name);
    let said = '';
    while (this.waiting && !this.stopping) {
      const views = await Promise.all(
        this.o.nodes.map((node) => (node.name === this.o.name ? null : peerView(node))),
      );
      if (!this.waiting) return;
      // mayJoin takes the others in order; this node's own slot counts as not answering.
      const others = views.map((view, index) => (index === self ? null : view));
      if (mayJoin(self, others)) {
        this.waiting.go({ bootstrap: false });
        return;
      }
      const line = primaryExists(others)
        ? 'galera: a primary component runs; waiting for the transfer in progress to finish'
        : 'galera: no primary component answers; waiting to join one, or for `webstack up` to bootstrap';
      if (line !== said) this.o.log(line);
      said = line;
      await delay(1_000);
    }
    this.waiting?.go({ bootstrap: false });
  }

  /**
   * The operator's order to start a new primary component here. Refused when a peer already runs
   * one, or (unless forced) when a peer does not answer: it might.
   */
  async bootstrap(force: boolean): Promise<NodeView> {
    const waiting = this.waiting;
    if (!waiting) throw new WebstackError('GALERA_NOT_WAITING', this.o.name, (await this.view()).state);
    const views = await Promise.all(this.peers.map((peer) => peerView(peer)));
    if (primaryExists(views))
      throw new WebstackError(
        'GALERA_PRIMARY_EXISTS',
        views.flatMap((view) => (view?.primary ? [view.node] : [])).join(', '),
      );
    const silent = this.peers.filter((_, index) => views[index] === null).map((peer) => peer.name);
    if (silent.length > 0 && !force) throw new WebstackError('GALERA_NODE_SILENT', silent.join(', '));
    const text = await this.host.readText(this.grastate);
    // A node that stopped last says safe_to_bootstrap: 1 by itself; after a crash nobody does, and
    // the operator's choice (the most advanced position, or --force) stands for it.
    if (text !== null && !parseGraState(text)?.safeToBootstrap)
      await this.host.writeAtomic(this.grastate, markSafeToBootstrap(text), {
        mode: 0o660,
        ...(this.o.runAs ? { owner: { uid: this.o.runAs.uid, gid: this.o.runAs.gid } } : {}),
      });
    waiting.go({ bootstrap: true });
    return await this.view();
  }

  /** Before a planned restart: answer 503 so that HAProxy sends clients elsewhere first. */
  drain(on: boolean): void {
    this.draining = on;
  }

  /**
   * The position mariadbd would start from. grastate.dat holds it after a clean stop; after a
   * crash it says seqno -1, and `mariadbd --wsrep-recover` reads it from InnoDB (as Debian's
   * galera_recovery does), so that the node rejoins by IST instead of a full SST.
   */
  private async recoverPosition(): Promise<GraState | null> {
    const state = parseGraState(await this.host.readText(this.grastate));
    if (state === null) return null;
    if (state.seqno >= 0) return state;
    await this.host.remove(this.o.recoverLog);
    await this.host.run(
      mariadb.recoverPosition(this.o.configFile, this.o.recoverLog, { user: this.o.runAs?.user }),
      { timeoutMs: 120_000, okCodes: [0, 1] },
    );
    const recovered = parseRecoveredPosition((await this.host.readText(this.o.recoverLog)) ?? '');
    if (recovered === null) {
      this.o.log('galera: --wsrep-recover found no position; the node will join by a full SST');
      return state;
    }
    this.o.log(`galera: recovered position ${recovered.uuid}:${recovered.seqno}`);
    return { ...recovered, safeToBootstrap: state.safeToBootstrap };
  }

  /** This node's view, from mariadbd's own status when it runs (cached for 250 ms). */
  async view(): Promise<NodeView> {
    if (this.lastView && Date.now() - this.lastView.at < 250) return this.lastView.view;
    const view = await this.readView();
    this.lastView = { at: Date.now(), view };
    return view;
  }

  private async readView(): Promise<NodeView> {
    const base = {
      node: this.o.name,
      primary: false,
      ready: false,
      clusterSize: 0,
      serving: false,
      draining: this.draining,
    };
    if (this.waiting)
      return {
        ...base,
        state: 'waiting',
        position: this.waiting.position,
        detail: `waiting at ${describe(this.waiting.position)}`,
      };
    if (!this.running)
      return { ...base, state: 'stopped', position: null, detail: 'mariadbd is not running' };
    let connection: mysql.Connection | undefined;
    try {
      connection = await mysql.createConnection({ ...adminOverSocket(this.o.socket), connectTimeout: 1_000 });
      const [rows] = await connection.query<RowDataPacket[]>(
        "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_local_state', 'wsrep_cluster_status', 'wsrep_cluster_size', 'wsrep_local_state_comment')",
      );
      const status = Object.fromEntries(rows.map((row) => [String(row.Variable_name), String(row.Value)]));
      const state = nodeStateOf(Number(status.wsrep_local_state));
      const view = {
        ...base,
        state,
        primary: status.wsrep_cluster_status === 'Primary',
        ready: status.wsrep_ready === 'ON',
        clusterSize: Number(status.wsrep_cluster_size ?? 0),
        position: null,
      } satisfies Omit<NodeView, 'detail'>;
      const serving = serves(view) && this.provisioned && !this.draining;
      return {
        ...view,
        serving,
        detail: `${status.wsrep_local_state_comment ?? state}, ${status.wsrep_cluster_status ?? 'no'} component of ${view.clusterSize}${this.draining ? ', draining' : ''}`,
      };
    } catch (error) {
      return {
        ...base,
        state: 'starting',
        position: null,
        detail: `mariadbd does not answer yet (${(error as Error).message})`,
      };
    } finally {
      await connection?.end().catch(() => undefined);
    }
  }

  /** Ends a wait for peers (the supervisor stops) and closes the health agent. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.waiting?.go({ bootstrap: false });
    await new Promise<void>((resolve) => (this.agent ? this.agent.close(() => resolve()) : resolve()));
  }
}

function describe(position: GraState | null): string {
  return position ? `${position.uuid}:${position.seqno}` : 'an empty data directory';
}

/** A peer's view from its health agent, or null when it does not answer within a second. */
export async function peerView(peer: GaleraPeer): Promise<NodeView | null> {
  try {
    const response = await fetch(`http://${peer.address}:${GALERA_CHECK_PORT}/`, {
      signal: AbortSignal.timeout(1_000),
    });
    return (await response.json()) as NodeView;
  } catch {
    return null;
  }
}
