import { dirname, join } from 'node:path';
import { WebstackError } from '../../core/errors.js';
import { accepts, greets } from '../../core/ports.js';
import { delay } from '../../core/timing.js';
import type { Host } from '../../host/host.js';
import type { ComponentStatus } from '../../supervisor/control/types.js';
import { KeepAlive } from '../../supervisor/keep-alive.js';
import { type HaproxyConfOptions, renderHaproxyConf } from './conf.js';

/** Where one app host's HAProxy keeps its files, under the state directory's run/. */
export function haproxyPaths(run: string) {
  return {
    conf: join(run, 'haproxy', 'haproxy.cfg'),
    pid: join(run, 'haproxy', 'haproxy.pid'),
    socket: join(run, 'haproxy', 'admin.sock'),
  };
}

/**
 * HAProxy as a component of an app host's stack: the config written and checked (`haproxy -c`),
 * then the proxy in the foreground as the supervisor's child, restarted if it dies.
 */
export class HaproxyComponent {
  private keeper: KeepAlive | null = null;
  private readonly paths: ReturnType<typeof haproxyPaths>;

  constructor(
    private readonly host: Host,
    run: string,
    private readonly options: Omit<HaproxyConfOptions, 'pidFile' | 'statsSocket'>,
    private readonly log: (line: string) => void,
  ) {
    this.paths = haproxyPaths(run);
  }

  async start(): Promise<void> {
    const { host, paths } = this;
    await host.mkdir(dirname(paths.conf), { mode: 0o700 });
    await host.writeAtomic(
      paths.conf,
      renderHaproxyConf({ ...this.options, pidFile: paths.pid, statsSocket: paths.socket }),
      { mode: 0o600 },
    );
    const check = await host.run(['haproxy', '-c', '-q', '-f', paths.conf], { okCodes: [0, 1, 2] });
    if (check.code !== 0)
      throw new WebstackError('HAPROXY_START_FAILED', (check.stderr || check.stdout).trim(), paths.conf);
    this.keeper = new KeepAlive(
      'haproxy',
      async () => {
        const child = host.start(['haproxy', '-db', '-f', paths.conf], { stdio: 'ignore' });
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        // Listening is the proxy's readiness: a node behind it may still be joining.
        for (let tries = 0; !(await this.listening()); tries++) {
          if (tries > 100 || child.exitCode !== null) {
            child.kill('SIGKILL');
            throw new WebstackError('HAPROXY_START_FAILED', 'it did not listen within 10 s', paths.conf);
          }
          await delay(100);
        }
        return {
          pid: child.pid ?? -1,
          child,
          stop: async () => {
            // SIGUSR1: a soft stop (the listener closes, established sessions finish), bounded.
            child.kill('SIGUSR1');
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

  private get endpoint(): { host: string; port: number } {
    return { host: this.options.listen.address, port: this.options.listen.port };
  }

  /** Whether the proxy accepts on its address (a TCP connection, closed at once). */
  private async listening(): Promise<boolean> {
    return await accepts(this.endpoint, 500);
  }

  async stop(): Promise<void> {
    await this.keeper?.stop();
  }

  async status(): Promise<ComponentStatus> {
    const keeper = this.keeper;
    // Healthy when a node behind it answers: the MariaDB greeting comes through.
    const healthy = keeper?.state === 'running' && (await greets(this.endpoint, 1_000));
    return {
      name: 'haproxy',
      state: keeper ? keeper.state : 'stopped',
      pid: keeper?.pid ?? null,
      healthy,
      version: null,
      uptimeSeconds: keeper?.startedAt ? (Date.now() - keeper.startedAt) / 1000 : null,
      restarts: keeper?.restarts ?? 0,
      detail: keeper?.lastError ?? (healthy ? null : 'no database node answers behind it'),
    };
  }
}
