import { join } from 'node:path';
import type { ConnectionOptions } from 'mysql2/promise';
import type { ResolvedConfig } from '../../core/config/load.js';
import { WebstackError } from '../../core/errors.js';
import type { StatePaths } from '../../core/paths.js';
import type { StackSecrets } from '../../core/secrets.js';
import { delay } from '../../core/timing.js';
import type { Host } from '../../host/host.js';
import type { ComponentStatus } from '../../supervisor/control/types.js';
import { KeepAlive } from '../../supervisor/keep-alive.js';
import { APP_DB_USER, MIGRATOR_DB_USER } from '../appserver/site-env.js';
import { type GaleraOptions, SST_DB_USER } from '../galera/cnf.js';
import { GaleraNode } from '../galera/node.js';
import { provisionSstAccount } from '../galera/provision.js';
import type { NodeView } from '../galera/view.js';
import {
  adminConnection,
  connectAdmin,
  initDataDir,
  mariadbHealth,
  mariadbRunAs,
  provisionDatabase,
  startMariadb,
  waitForMariadb,
  writeConfig,
} from './index.js';
import { mariadbTmpDir, maxAllowedPacketMb } from './my-cnf.js';
import { DEFAULT_HOSTS } from './provision.js';

/**
 * The database component: webstack's own MariaDB server (kept running by a KeepAlive), or an
 * external server given by URL, which webstack only provisions and checks.
 */
export class DatabaseComponent {
  private keeper: KeepAlive | null = null;
  /** This host's node of the Galera cluster, when the inventory has three or more db hosts. */
  galera: GaleraNode | null = null;
  private readonly admin: ConnectionOptions;

  constructor(
    private readonly host: Host,
    private readonly config: ResolvedConfig,
    private readonly paths: StatePaths,
    private readonly log: (line: string) => void,
  ) {
    this.admin = adminConnection(config, paths.mariadb.socket);
  }

  private get layout() {
    const m = this.paths.mariadb;
    return { config: m.config, data: m.data, socket: m.socket, pid: m.pid, log: m.log };
  }

  /** This node's settings, with three or more db hosts; null for a plain server. */
  private galeraOptions(secrets: StackSecrets): GaleraOptions | null {
    const here = this.config.here;
    if (!here?.galera || !here.components.includes('mariadb')) return null;
    return {
      clusterName: `webstack-${this.config.domain}`,
      nodeName: here.host.name,
      nodeAddress: here.host.address,
      nodes: here.galera.map((node) => node.address),
      gcacheMb: this.config.database.galera.gcacheMb,
      suspectTimeoutMs: this.config.database.galera.suspectTimeoutMs,
      sst: { user: SST_DB_USER, password: secrets.sstDbPassword },
      tls: {
        certificate: this.paths.tls.serverCertificate,
        key: this.paths.tls.serverKey,
        ca: this.paths.tls.caCertificate,
      },
      sstLogDir: join(this.paths.mariadb.data, '..', 'sst-log'),
    };
  }

  /** Until this node is Synced in the primary component (a joiner applies what it missed first). */
  private async waitSynced(): Promise<void> {
    let said = '';
    for (;;) {
      const view = await this.galeraView();
      if (view?.primary && view.ready && view.state === 'synced') return;
      if (this.keeper?.state === 'stopped') throw new WebstackError('STACK_STOPPING');
      if (view && view.detail !== said) {
        said = view.detail;
        this.log(`galera: ${said}`);
      }
      await delay(500);
    }
  }

  async galeraView(): Promise<NodeView | null> {
    return (await this.galera?.view()) ?? null;
  }

  /**
   * A planned restart of this node (`db restart --rolling`): HAProxy is turned away first (the
   * agent answers 503 until the checks move clients to the next node), then mariadbd stops
   * cleanly, starts again, rejoins by IST and is Synced before this returns.
   */
  async restartNode(drainMs: number): Promise<NodeView> {
    const node = this.galera;
    const keeper = this.keeper;
    if (!node || !keeper) throw new WebstackError('GALERA_NOT_HERE');
    node.drain(true);
    try {
      // New statements are refused with 1047 (the site retries those: nothing of them ran), so
      // that when HAProxy cuts this node's sessions no statement of the site is in flight on it.
      const admin = await connectAdmin(this.admin);
      await admin.query('SET GLOBAL wsrep_reject_queries = ALL').finally(() => admin.end());
      await delay(drainMs);
      await keeper.stop();
      await keeper.start();
      await this.waitSynced();
    } finally {
      node.drain(false);
    }
    return await node.view();
  }

  async start(secrets: StackSecrets): Promise<void> {
    const galera = this.galeraOptions(secrets);
    if (this.config.database.mode === 'managed') {
      const runAs = await mariadbRunAs(this.host);
      await writeConfig(
        this.host,
        this.layout,
        {
          port: this.config.database.port,
          bindAddress: this.config.database.host ?? '127.0.0.1',
          // Across hosts, the app hosts' connections travel over TLS with the cluster CA's certificate.
          ...(this.config.inventory.single
            ? {}
            : {
                tls: {
                  certificate: this.paths.tls.serverCertificate,
                  key: this.paths.tls.serverKey,
                  ca: this.paths.tls.caCertificate,
                },
              }),
          maxAllowedPacketMb: maxAllowedPacketMb(this.config.uploads.maxBytes),
          bufferPoolMb: this.config.database.bufferPoolMb,
          ...(galera ? { galera } : {}),
        },
        runAs,
      );
      if (galera)
        await this.host.mkdir(galera.sstLogDir, {
          mode: 0o750,
          ...(runAs ? { owner: { uid: runAs.uid, gid: runAs.gid } } : {}),
        });
      if (await initDataDir(this.host, this.layout, runAs))
        this.log('mariadb: initialised a new data directory');
      const nodes = this.config.here?.galera;
      if (galera && nodes) {
        this.galera = new GaleraNode(this.host, {
          name: galera.nodeName,
          address: galera.nodeAddress,
          nodes: nodes.map((node) => ({ name: node.host, address: node.address })),
          configFile: this.paths.mariadb.config,
          dataDir: this.paths.mariadb.data,
          socket: this.paths.mariadb.socket,
          recoverLog: join(mariadbTmpDir(this.paths.mariadb.data), 'wsrep-recover.log'),
          runAs,
          log: this.log,
        });
        await this.galera.serveAgent();
      }
      this.keeper = new KeepAlive(
        'mariadb',
        async () => {
          // A Galera node waits for its turn to join (or the order to bootstrap) before each start.
          const args = this.galera ? await this.galera.nextStart() : [];
          const proc = startMariadb(this.host, this.paths.mariadb.config, runAs, args);
          // A joiner answers once its state transfer is done: a full copy takes longer than a start.
          await waitForMariadb(this.paths.mariadb.socket, this.galera ? 3_600_000 : 120_000, {
            exited: proc.exited,
            errorLog: this.paths.mariadb.log,
          });
          return { pid: proc.pid, child: proc.child, stop: async () => void (await proc.stop()) };
        },
        this.log,
      );
      await this.keeper.start();
      if (this.galera) await this.waitSynced();
    }
    await provisionDatabase(this.admin, {
      database: this.config.database.name,
      appUser: APP_DB_USER,
      appPassword: secrets.appDbPassword,
      migratorUser: MIGRATOR_DB_USER,
      migratorPassword: secrets.migratorDbPassword,
      hosts: DEFAULT_HOSTS,
      // On a db host of a cluster, the app hosts connect over the network: only from their
      // addresses, and only over TLS.
      tlsHosts: this.config.inventory.single
        ? []
        : (this.config.here?.clients.db.map((client) => client.address) ?? []),
    });
    if (this.galera) {
      await provisionSstAccount(this.admin, SST_DB_USER, secrets.sstDbPassword);
      this.galera.provisioned = true;
    }
  }

  async stop(): Promise<void> {
    await this.galera?.stop();
    await this.keeper?.stop();
  }

  async status(): Promise<ComponentStatus> {
    const health = await mariadbHealth(this.admin).catch(() => null);
    const keeper = this.keeper;
    return {
      name: 'mariadb',
      state: keeper ? keeper.state : 'external',
      pid: keeper?.pid ?? null,
      healthy: health?.ok === true,
      version: health?.version ?? null,
      uptimeSeconds: health?.uptimeSeconds ?? null,
      restarts: keeper?.restarts ?? 0,
      detail: (await this.galeraView())?.detail ?? keeper?.lastError ?? null,
    };
  }
}
