import { join } from 'node:path';
import type { StatePaths } from '../../core/paths.js';
import type { Argv, Host } from '../../host/host.js';
import { keepalivedPaths } from '../keepalived/component.js';
import { renderLogrotate } from './conf.js';

const EVERY_MS = 60 * 60 * 1000;

/** One logrotate pass with webstack's own config and state file. */
export function logrotateArgv(status: string, conf: string): Argv {
  return ['logrotate', '--state', status, conf];
}

/**
 * Log rotation from day one, without touching /etc: the supervisor runs logrotate itself, hourly,
 * with its own config and state file in the state directory (rotation is daily, or sooner past
 * 100 MB). Returns a function that stops the schedule.
 */
export async function scheduleLogrotate(
  host: Host,
  paths: StatePaths,
  log: (line: string) => void,
): Promise<() => void> {
  const conf = join(paths.root, 'logrotate.conf');
  const status = join(paths.run, 'logrotate.status');
  await host.writeAtomic(
    conf,
    renderLogrotate({
      logs: [
        paths.nginx.accessLog,
        paths.nginx.errorLog,
        paths.app.log,
        paths.supervisorLog,
        paths.mariadb.log,
        keepalivedPaths(paths.run, paths.logs).log,
      ],
    }),
    { mode: 0o644 },
  );
  const rotate = () =>
    void host
      .run(logrotateArgv(status, conf), { timeoutMs: 120_000 })
      .catch((error: Error) => log(`logrotate: ${error.message}`));
  const timer = setInterval(rotate, EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
