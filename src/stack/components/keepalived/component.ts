import { dirname, join } from 'node:path';
import { WebstackError } from '../../core/errors.js';
import { parseAddresses } from '../../core/ip-json.js';
import { delay } from '../../core/timing.js';
import type { Argv, Host } from '../../host/host.js';
import type { ComponentStatus } from '../../supervisor/control/types.js';
import { KeepAlive } from '../../supervisor/keep-alive.js';
import { holdsVip, type KeepalivedConfOptions, renderKeepalivedConf, vipPlacement } from './conf.js';

/** Where one lb's keepalived keeps its files: config and pid files under run/, its log under logs/. */
export function keepalivedPaths(run: string, logs: string) {
  const dir = join(run, 'keepalived');
  return {
    conf: join(dir, 'keepalived.conf'),
    pid: join(dir, 'keepalived.pid'),
    vrrpPid: join(dir, 'vrrp.pid'),
    log: join(logs, 'keepalived.log'),
  };
}

/** The argv that runs keepalived's VRRP part only, in the foreground, logging to its output. */
export function keepalivedArgv(paths: ReturnType<typeof keepalivedPaths>): Argv {
  return ['keepalived', '-n', '-P', '-l', '-D', '-G', '-f', paths.conf, '-p', paths.pid, '-r', paths.vrrpPid];
}

export type KeepalivedOptions = Omit<KeepalivedConfOptions, 'interface' | 'prefixLength'>;

/**
 * keepalived as a component of an lb host: the floating address placed on the interface that
 * holds the host's own address, the config written and checked (`keepalived -t`), then keepalived
 * in the foreground as the supervisor's child, restarted if it dies. Stopping it hands the address
 * to the peer at once (keepalived sends a last advert of priority 0 and removes the address).
 */
export class KeepalivedComponent {
  private keeper: KeepAlive | null = null;
  private readonly paths: ReturnType<typeof keepalivedPaths>;

  constructor(
    private readonly host: Host,
    dirs: { run: string; logs: string },
    private readonly options: KeepalivedOptions,
    private readonly log: (line: string) => void,
  ) {
    this.paths = keepalivedPaths(dirs.run, dirs.logs);
  }

  async start(): Promise<void> {
    const { host, paths, options } = this;
    // Without it the check always fails: neither lb would ever hold the address.
    const [checker = ''] = options.check;
    if (!(await host.exists(checker)))
      throw new WebstackError('KEEPALIVED_START_FAILED', `${checker || 'the check'} is missing`, paths.conf);
    const addresses = await this.addresses();
    const placement = vipPlacement(addresses, options.address, options.vip);
    await host.mkdir(dirname(paths.conf), { mode: 0o700 });
    await host.writeAtomic(paths.conf, renderKeepalivedConf({ ...options, ...placement }), { mode: 0o600 });
    const check = await host.run(['keepalived', '-t', '-n', '-l', '-f', paths.conf], {
      okCodes: [-1, ...Array.from({ length: 256 }, (_, code) => code)],
    });
    // keepalived 2.2's config test ends a good config by sending itself SIGTERM (no exit code, and
    // nothing said); a bad one exits 1-5 with the reason on stderr.
    const passed = check.code === 0 || (check.code === -1 && check.stderr.trim() === '');
    if (!passed)
      throw new WebstackError('KEEPALIVED_START_FAILED', (check.stderr || check.stdout).trim(), paths.conf);
    this.keeper = new KeepAlive(
      'keepalived',
      async () => {
        await this.clearLeftovers(placement);
        const child = host.start(keepalivedArgv(paths), { outputFile: paths.log });
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        // Running is its readiness: its VRRP child writes its pid file once it takes part.
        for (let tries = 0; (await this.pidOf(paths.vrrpPid)) === null; tries++) {
          if (tries > 100 || child.exitCode !== null) {
            child.kill('SIGKILL');
            throw new WebstackError(
              'KEEPALIVED_START_FAILED',
              `it did not run within 10 s (see ${paths.log})`,
              paths.conf,
            );
          }
          await delay(100);
        }
        return {
          pid: child.pid ?? -1,
          child,
          stop: async () => {
            child.kill('SIGTERM');
            const late = setTimeout(() => child.kill('SIGKILL'), 5_000);
            await exited;
            clearTimeout(late);
          },
        };
      },
      this.log,
    );
    await this.keeper.start();
  }

  /**
   * Before each start of keepalived (the first, and a restart after it died): a keepalived an
   * earlier supervisor left is stopped, stale pid files go, and so does an address a killed one
   * left behind.
   */
  private async clearLeftovers(placement: { interface: string; prefixLength: number }): Promise<void> {
    const { host, paths, options } = this;
    await this.stopLeftover();
    // A power loss leaves the pid files (state/run is on disk); keepalived refuses to start while
    // one names a live process, whatever that process now is.
    for (const file of [paths.pid, paths.vrrpPid]) await host.remove(file);
    // An address a killed keepalived left on this host would answer beside the peer's: removed
    // before this one decides, with its peer, who holds it.
    if (holdsVip(await this.addresses(), options.vip)) {
      this.log(`removing ${options.vip}, left on ${placement.interface} by a keepalived that died`);
      await host.run([
        'ip',
        'addr',
        'del',
        `${options.vip}/${placement.prefixLength}`,
        'dev',
        placement.interface,
      ]);
    }
  }

  /** A keepalived left by a supervisor that died (its pid file names a live one): stopped first. */
  private async stopLeftover(): Promise<void> {
    const pid = await this.pidOf(this.paths.pid);
    if (pid === null) return;
    const cmdline = (await this.host.readText(`/proc/${pid}/cmdline`)) ?? '';
    if (!cmdline.includes('keepalived') || !cmdline.includes(this.paths.conf)) return;
    this.log(`stopping keepalived ${pid}, left by an earlier supervisor`);
    await this.host.signal(pid, 'SIGTERM');
    for (let tries = 0; tries < 50 && (await this.host.isAlive(pid)); tries++) await delay(100);
    await this.host.signal(pid, 'SIGKILL');
  }

  private async pidOf(file: string): Promise<number | null> {
    const pid = Number((await this.host.readText(file))?.trim());
    return Number.isInteger(pid) && pid > 0 && (await this.host.isAlive(pid)) ? pid : null;
  }

  private async addresses() {
    return parseAddresses((await this.host.run(['ip', '-j', '-4', 'addr', 'show'])).stdout);
  }

  /** Whether this host holds the floating address now. */
  async holdsVip(): Promise<boolean> {
    return holdsVip(await this.addresses(), this.options.vip);
  }

  async stop(): Promise<void> {
    await this.keeper?.stop();
  }

  async status(): Promise<ComponentStatus> {
    const keeper = this.keeper;
    const running = keeper?.state === 'running';
    const holds = running && (await this.holdsVip());
    return {
      name: 'keepalived',
      state: keeper ? keeper.state : 'stopped',
      pid: keeper?.pid ?? null,
      healthy: running,
      version: null,
      uptimeSeconds: keeper?.startedAt ? (Date.now() - keeper.startedAt) / 1000 : null,
      restarts: keeper?.restarts ?? 0,
      detail:
        keeper?.lastError ?? (holds ? `holds ${this.options.vip}` : `standing by for ${this.options.vip}`),
    };
  }
}
