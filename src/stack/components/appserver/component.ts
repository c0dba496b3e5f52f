import type { SiteSettings } from '../../../contract.js';
import type { ComponentStatus } from '../../supervisor/control/types.js';
import { AppServer } from './pool.js';

export interface AppComponentOptions {
  releaseDir: string;
  release: string;
  workers: number;
  settings: SiteSettings;
  /** Unprivileged account for the workers when webstack runs as root. */
  runAs: { uid: number; gid: number } | null;
  output: (line: string) => void;
  log: (line: string) => void;
}

/** The application server as a component of the stack. */
export class AppComponent {
  readonly server: AppServer;
  private readonly startedAt = Date.now();

  constructor(options: AppComponentOptions) {
    const { release: _release, ...settings } = options.settings;
    this.server = new AppServer({
      releaseDir: options.releaseDir,
      release: options.release,
      workers: options.workers,
      settings,
      log: options.log,
      output: options.output,
      ...(options.runAs ? { runAs: options.runAs } : {}),
    });
  }

  async start(): Promise<void> {
    await this.server.start();
  }

  async deploy(releaseDir: string, release: string): Promise<void> {
    await this.server.deploy(releaseDir, release);
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }

  async status(): Promise<ComponentStatus> {
    const status = await this.server.status();
    const ready = status.workers.filter((w) => w.ready === 200).length;
    return {
      name: 'appserver',
      state: ready > 0 ? 'running' : 'starting',
      pid: process.pid,
      healthy: ready === status.workers.length && ready > 0,
      version: status.release,
      uptimeSeconds: (Date.now() - this.startedAt) / 1000,
      restarts: status.restarts,
      detail: `${ready}/${status.workers.length} workers ready (pids ${status.workers.map((w) => w.pid ?? '-').join(' ')})`,
    };
  }
}
