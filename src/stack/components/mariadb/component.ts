import type { ConnectionOptions } from 'mysql2/promise';
import type { ResolvedConfig } from '../../core/config/load.js';
import type { StatePaths } from '../../core/paths.js';
import type { StackSecrets } from '../../core/secrets.js';
import type { Host } from '../../host/host.js';
import type { ComponentStatus } from '../../supervisor/control/types.js';
import { KeepAlive } from '../../supervisor/keep-alive.js';
import { APP_DB_USER, MIGRATOR_DB_USER } from '../appserver/site-env.js';
import {
  adminConnection,
  initDataDir,
  mariadbHealth,
  mariadbRunAs,
  provisionDatabase,
  startMariadb,
  waitForMariadb,
  writeConfig,
} from './index.js';
import { maxAllowedPacketMb } from './my-cnf.js';
import { DEFAULT_HOSTS } from './provision.js';

/**
 * The database component: webstack's own MariaDB server (kept running by a KeepAlive), or an
 * external server given by URL, which webstack only provisions and checks.
 */
export class DatabaseComponent {
  private keeper: KeepAlive | null = null;
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

  async start(secrets: StackSecrets): Promise<void> {
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
        },
        runAs,
      );
      if (await initDataDir(this.host, this.layout, runAs))
        this.log('mariadb: initialised a new data directory');
      this.keeper = new KeepAlive(
        'mariadb',
        async () => {
          const proc = startMariadb(this.host, this.paths.mariadb.config, runAs);
          await waitForMariadb(this.paths.mariadb.socket, 120_000, {
            exited: proc.exited,
            errorLog: this.paths.mariadb.log,
          });
          return { pid: proc.pid, child: proc.child, stop: async () => void (await proc.stop()) };
        },
        this.log,
      );
      await this.keeper.start();
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
  }

  async stop(): Promise<void> {
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
      detail: keeper?.lastError ?? null,
    };
  }
}
