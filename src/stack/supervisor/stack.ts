import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ASSETS_URL_PREFIX } from '../../contract.js';
import type { ComponentName } from '../cluster/plan.js';
import { AppComponent } from '../components/appserver/component.js';
import { databaseCa, publicUrl, siteSettings } from '../components/appserver/site-env.js';
import { writeStackZone } from '../components/dns/stack-zone.js';
import { applyFirewall } from '../components/firewall/apply.js';
import { hostFirewallInput } from '../components/firewall/peers.js';
import { renderFirewall } from '../components/firewall/rules.js';
import { GALERA_CHECK_PORT } from '../components/galera/cnf.js';
import { HaproxyComponent } from '../components/haproxy/component.js';
import { KeepalivedComponent } from '../components/keepalived/component.js';
import { scheduleLogrotate } from '../components/logrotate/schedule.js';
import { DatabaseComponent } from '../components/mariadb/component.js';
import { NginxComponent } from '../components/nginx/component.js';
import { STATUS_PATH } from '../components/nginx/conf.js';
import { PairFollower, PairServer } from '../components/tls/pair-sync.js';
import { CertificateManager, type CertificateStatus } from '../components/tls/renewal.js';
import type { ResolvedConfig } from '../core/config/load.js';
import { WebstackError } from '../core/errors.js';
import type { StatePaths } from '../core/paths.js';
import { accepts, greets } from '../core/ports.js';
import { ensureSecrets, type StackSecrets } from '../core/secrets.js';
import { delay } from '../core/timing.js';
import type { AppendStream, Host, Owner } from '../host/host.js';
import { publishAssets } from '../operations/deploy/assets.js';
import { migrationsPending } from '../operations/deploy/schema.js';
import { appRunAs } from '../operations/install/accounts.js';
import { activateRelease, createRelease, currentRelease, releaseDir } from '../operations/release/release.js';
import { runSiteCli } from '../operations/site-cli.js';
import type { ComponentStatus, StackStatus } from './control/types.js';

/** The checkout this webstack runs from: the source of the first release. */
const checkout = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * The whole stack on this server, started and stopped in order: database, application server,
 * Nginx. Each component keeps its own process running; this only sequences them.
 */
export class Stack {
  phase = 'starting';
  ready = false;
  private stopping = false;
  private readonly startedAt = Date.now();
  private secrets: StackSecrets | null = null;
  readonly database: DatabaseComponent;
  /** The application server, once started (the deployer rolls its workers over). */
  app: AppComponent | null = null;
  nginx: NginxComponent | null = null;
  /** On an app host of a Galera cluster: the proxy the site reaches the cluster through. */
  haproxy: HaproxyComponent | null = null;
  /** On one of two lb hosts: what holds the floating address while this host's Nginx serves. */
  keepalived: KeepalivedComponent | null = null;
  /** The site's certificate from ACME, when https.acme is set. */
  certificates: CertificateManager | null = null;
  /** Across lbs: on the issuing lb, what hands its pair to the others... */
  private pairServer: PairServer | null = null;
  /** ...and on each other lb, what takes it from there. */
  private pairFollower: PairFollower | null = null;
  private readonly appLog: AppendStream;
  private stopLogrotate: (() => void) | null = null;
  private appUser: Owner | null = null;

  constructor(
    readonly host: Host,
    readonly config: ResolvedConfig,
    readonly paths: StatePaths,
    readonly log: (line: string) => void,
  ) {
    this.database = new DatabaseComponent(host, config, paths, log);
    this.appLog = host.appendStream(paths.app.log, { mode: 0o640 });
  }

  private step(phase: string): void {
    this.phase = phase;
    this.log(phase);
  }

  /** Whether this host runs the component (a single server runs all three). */
  runs(component: ComponentName): boolean {
    return this.config.here?.components.includes(component) ?? false;
  }

  async start(options: { seed: boolean }): Promise<void> {
    const { host, config, paths } = this;
    this.step('preparing the state directory');
    for (const dir of [paths.releases, paths.uploads, paths.run, paths.logs])
      await host.mkdir(dir, { mode: 0o755 });
    await host.mkdir(paths.backups, { mode: 0o700 });
    this.appUser = await appRunAs(host, config.app.user, this.log);
    if (this.appUser) await host.chown(paths.uploads, this.appUser);
    this.secrets = await ensureSecrets(host, paths.secrets);

    let release = await currentRelease(host, paths);
    if (release === null) {
      this.step('building the first release from this checkout');
      release = await createRelease(host, paths, checkout, this.log);
      await activateRelease(host, paths, release);
    }

    const firewall = hostFirewallInput(config);
    if (firewall && (await host.isRoot())) {
      // Across hosts: the app port takes only the lb hosts, MariaDB's only the app hosts.
      this.step('applying the firewall');
      await applyFirewall(host, config.stateDir, renderFirewall(firewall));
    }

    if (this.runs('nginx')) {
      // Pages name hashed assets; every release's go to one shared directory, so old pages keep theirs.
      await publishAssets(host, paths, releaseDir(paths, release));
      this.step('writing the zone file');
      await writeStackZone(host, config, paths);
    }

    if (this.runs('mariadb')) {
      this.step(
        config.database.mode === 'managed' ? 'starting MariaDB' : 'provisioning the external database',
      );
      await this.database.start(this.secrets);
    }
    if (this.runs('haproxy') && config.here?.galera) {
      this.step('starting HAProxy in front of the database cluster');
      this.haproxy = new HaproxyComponent(
        host,
        paths.run,
        {
          listen: { address: config.database.host ?? '127.0.0.1', port: config.database.port },
          servers: config.here.galera.map((node) => ({
            name: node.host,
            address: node.address,
            port: config.database.port,
          })),
          checkPort: GALERA_CHECK_PORT,
        },
        this.log,
      );
      await this.haproxy.start();
    }
    if (this.runs('appserver')) await this.startApp(release, options);

    if (this.runs('nginx')) {
      this.step('starting nginx');
      this.nginx = new NginxComponent(host, config, paths, () => paths.publicAssets, this.log);
      await this.nginx.start();
    }
    if (this.runs('keepalived') && this.nginx) await this.startKeepalived(this.nginx);
    // After keepalived: the ACME server checks the challenge at the floating address.
    if (config.https.acme && this.nginx) await this.startCertificates(this.nginx);

    this.stopLogrotate = await scheduleLogrotate(host, paths, this.log);
    this.ready = true;
    this.step(
      this.runs('nginx')
        ? `serving ${publicUrl(config)} (assets under ${ASSETS_URL_PREFIX})`
        : `running ${this.config.here?.components.join(', ')}`,
    );
  }

  private async startApp(release: string, options: { seed: boolean }): Promise<void> {
    const { host, config, paths } = this;
    if (!this.secrets) throw new Error('the secrets are read before the application starts');
    const appUser = this.appUser;
    if (!this.runs('mariadb')) await this.waitForDatabase();
    await this.migrate(release);
    const seededMarker = join(paths.root, '.seeded');
    if (options.seed && config.seed && !(await host.exists(seededMarker))) {
      this.step('loading the demo content');
      await runSiteCli(host, config, paths, ['seed'], { role: 'app', release });
      await host.writeAtomic(seededMarker, `${new Date().toISOString()}\n`, { mode: 0o644 });
    }

    this.step(`starting ${config.workerCount} application workers`);
    this.app = new AppComponent({
      releaseDir: releaseDir(paths, release),
      release,
      workers: config.workerCount,
      settings: siteSettings(config, paths, this.secrets, release, await databaseCa(host, config, paths)),
      runAs: appUser,
      output: (line) => this.appLog.write(`${line}\n`),
      log: this.log,
    });
    await this.app.start();
  }

  /**
   * Runs the release's migrator, unless the database here already records exactly the release's
   * migrations (most `up`s: the machine restarts on the release it ran). Where the database is
   * another host's, the migrator always runs: the administrator account is that host's.
   */
  private async migrate(release: string): Promise<void> {
    const { host, config, paths } = this;
    if (this.runs('mariadb') && !(await migrationsPending(host, config, paths, releaseDir(paths, release)))) {
      this.step('the schema is up to date: no migration to run');
      return;
    }
    this.step('migrating the database');
    const migrated = await runSiteCli(host, config, paths, ['migrate'], { role: 'migrator', release });
    if (migrated.stdout.trim()) this.log(migrated.stdout.trim());
  }

  /**
   * Across hosts the database is another machine's, which may be starting too (a power cut takes
   * racks down together): wait for it, backing off up to 5 s between tries, until it answers or
   * the stack is stopped. `status` shows what it waits for, and `up` bounds the wait.
   */
  private async waitForDatabase(): Promise<void> {
    const target = { host: this.config.database.host ?? '127.0.0.1', port: this.config.database.port };
    const since = Date.now();
    for (let pause = 250; !this.stopping; pause = Math.min(pause * 2, 5_000)) {
      // The server's greeting, not a bare TCP accept: HAProxy accepts even with no node behind it.
      if (await greets(target)) return;
      this.phase = `waiting for the database at ${target.host}:${target.port} (${Math.round((Date.now() - since) / 1000)} s)`;
      if (pause === 250) this.log(this.phase);
      await delay(pause);
    }
    throw new WebstackError('STACK_STOPPING');
  }

  /** keepalived, once Nginx serves: the floating address comes here if the other lb does not hold it. */
  private async startKeepalived(nginx: NginxComponent): Promise<void> {
    const { config } = this;
    const vrrp = config.here?.vrrp;
    if (!vrrp || nginx.statusPort === undefined) return;
    this.step(`starting keepalived for the floating address ${vrrp.vip}`);
    const first = config.inventory.hosts.find((host) => host.roles.includes('lb'))?.name;
    this.keepalived = new KeepalivedComponent(
      this.host,
      { run: this.paths.run, logs: this.paths.logs },
      {
        name: config.here?.host.name ?? 'lb',
        address: vrrp.address,
        peer: vrrp.peer.address,
        vip: vrrp.vip,
        routerId: config.vrrp.routerId,
        advertIntervalMs: config.vrrp.advertIntervalMs,
        priority: config.here?.host.name === first ? 110 : 100,
        // stub_status on loopback: Nginx itself answers, whatever the app hosts behind it do.
        check: [
          '/usr/bin/curl',
          '-fsS',
          '-o',
          '/dev/null',
          '--max-time',
          '2',
          `http://127.0.0.1:${nginx.statusPort}${STATUS_PATH}`,
        ],
      },
      this.log,
    );
    await this.keepalived.start();
  }

  /**
   * Nginx already serves HTTP with the challenge location: get the certificate (or renew it if
   * due), which switches nginx to HTTPS. A failure is logged and kept; the site keeps serving what
   * it served, and the timer retries. Across lbs only the first lb does that, and hands the pair
   * to the others; each other lb takes it from there, at once and then every checkSeconds.
   */
  private async startCertificates(nginx: NginxComponent): Promise<void> {
    const { config, host, paths } = this;
    const acme = config.https.acme;
    if (!acme) return;
    const certificates = new CertificateManager(
      host,
      config,
      paths,
      () => nginx.reload({ force: true }),
      this.log,
    );
    this.certificates = certificates;
    const plan = config.inventory.single ? null : (config.here?.certificates ?? null);
    const self = config.here?.host;
    if (plan && self && plan.issuer.host !== self.name) {
      this.step(`taking the certificate from ${plan.issuer.host}`);
      this.pairFollower = new PairFollower({
        host,
        paths,
        issuer: { name: plan.issuer.host, address: plan.issuer.address, port: acme.peerPort },
        install: (pair) => certificates.installPair(pair.certificate, pair.key),
        intervalSeconds: acme.checkSeconds,
        log: this.log,
      });
      this.pairFollower.start();
      return;
    }
    this.step('checking the certificate');
    if (config.inventory.vip) await this.floatingAddressAnswers(config.inventory.vip);
    await certificates.renew({ force: false }).catch(() => {});
    certificates.start();
    if (plan && self && plan.followers.length > 0) {
      this.pairServer = new PairServer({
        host,
        paths,
        address: self.address,
        port: acme.peerPort,
        allowed: plan.followers.map((follower) => follower.host),
        log: this.log,
      });
      await this.pairServer.start();
    }
  }

  /**
   * Until an lb holds the floating address (this one, just started, or the other), for at most
   * 10 s: the ACME server's check of a challenge goes there.
   */
  private async floatingAddressAnswers(vip: string): Promise<void> {
    for (let tries = 0; tries < 20; tries++) {
      if (await accepts({ host: vip, port: this.config.http.port }, 500)) return;
      await delay(500);
    }
    this.log(`the floating address ${vip} does not answer yet; asking ACME anyway`);
  }

  /** `tls renew`: on the issuer, a renewal (when due, or forced); on another lb, a fetch of the issuer's pair. */
  async renewCertificate(options: { force: boolean }): Promise<CertificateStatus> {
    if (!this.certificates) throw new WebstackError('ACME_NOT_CONFIGURED');
    if (!this.pairFollower) return await this.certificates.renew(options);
    await this.pairFollower.syncOnce();
    return await this.certificateStatus();
  }

  async certificateStatus(): Promise<CertificateStatus> {
    if (!this.certificates) throw new WebstackError('ACME_NOT_CONFIGURED');
    const issuer = this.config.here?.certificates?.issuer.host;
    return {
      ...(await this.certificates.status()),
      ...(this.pairFollower && issuer ? { takenFrom: issuer } : {}),
    };
  }

  /** Stops in the order that loses nothing: stop taking requests, drain the app, then the database. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.ready = false;
    this.step('stopping');
    this.stopLogrotate?.();
    this.certificates?.stop();
    await this.pairFollower?.stop();
    await this.pairServer?.stop().catch((error: Error) => this.log(`pair server stop: ${error.message}`));
    // The floating address goes to the other lb first, while this Nginx still answers.
    await this.keepalived?.stop().catch((error: Error) => this.log(`keepalived stop: ${error.message}`));
    await this.nginx?.stop().catch((error: Error) => this.log(`nginx stop: ${error.message}`));
    await this.app?.stop().catch((error: Error) => this.log(`app stop: ${error.message}`));
    await this.haproxy?.stop().catch((error: Error) => this.log(`haproxy stop: ${error.message}`));
    await this.database.stop().catch((error: Error) => this.log(`mariadb stop: ${error.message}`));
    await this.appLog.end();
    this.step('stopped');
  }

  async status(): Promise<StackStatus & { phase: string }> {
    const components: ComponentStatus[] = [];
    if (this.runs('mariadb')) components.push(await this.database.status());
    if (this.runs('haproxy'))
      components.push(this.haproxy ? await this.haproxy.status() : pending('haproxy'));
    if (this.runs('appserver')) components.push(this.app ? await this.app.status() : pending('appserver'));
    if (this.runs('nginx')) components.push(this.nginx ? await this.nginx.status() : pending('nginx'));
    if (this.runs('keepalived'))
      components.push(this.keepalived ? await this.keepalived.status() : pending('keepalived'));
    return {
      url: publicUrl(this.config),
      release: await currentRelease(this.host, this.paths),
      phase: this.phase,
      supervisor: {
        pid: process.pid,
        uptimeSeconds: (Date.now() - this.startedAt) / 1000,
        ready: this.ready,
      },
      components,
      ...(this.certificates ? { tls: await this.certificateStatus() } : {}),
      ...(this.keepalived && this.config.inventory.vip
        ? { vip: { address: this.config.inventory.vip, held: await this.keepalived.holdsVip() } }
        : {}),
    };
  }
}

function pending(name: ComponentStatus['name']): ComponentStatus {
  return {
    name,
    state: 'stopped',
    pid: null,
    healthy: false,
    version: null,
    uptimeSeconds: null,
    restarts: 0,
    detail: null,
  };
}
