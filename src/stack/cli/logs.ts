import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ResolvedConfig } from '../core/config/load.js';
import { WebstackError } from '../core/errors.js';
import { statePaths } from '../core/paths.js';
import { type LogFilter, matchesLogFilter } from './log-filter.js';

const COMPONENTS = ['nginx', 'nginx-access', 'nginx-error', 'app', 'mariadb', 'webstack'] as const;

export function logFiles(config: ResolvedConfig, component: string | undefined): string[] {
  const paths = statePaths(config.stateDir);
  const files: Record<(typeof COMPONENTS)[number], string[]> = {
    nginx: [paths.nginx.accessLog, paths.nginx.errorLog],
    'nginx-access': [paths.nginx.accessLog],
    'nginx-error': [paths.nginx.errorLog],
    app: [paths.app.log],
    mariadb: [paths.mariadb.log],
    webstack: [paths.supervisorLog],
  };
  if (component === undefined) return [...new Set(Object.values(files).flat())];
  if (!(COMPONENTS as readonly string[]).includes(component)) {
    throw new WebstackError('LOGS_UNKNOWN_COMPONENT', component, COMPONENTS.join(', '));
  }
  return files[component as (typeof COMPONENTS)[number]];
}

export async function logsVerb(
  config: ResolvedConfig,
  options: { follow?: boolean; lines?: string; args?: string[]; requestId?: string; status?: string },
): Promise<number> {
  const filter: LogFilter = {};
  if (options.requestId !== undefined) filter.requestId = options.requestId;
  if (options.status !== undefined) {
    const status = Number(options.status);
    if (!Number.isInteger(status) || status < 100 || status > 599) {
      throw new WebstackError('LOGS_BAD_STATUS', options.status);
    }
    filter.status = status;
  }
  const filtering = filter.requestId !== undefined || filter.status !== undefined;
  const lines = Number(options.lines ?? '50');
  if (!Number.isInteger(lines) || lines < 0 || lines > 1_000_000) {
    throw new WebstackError('LOGS_BAD_LINES', String(options.lines));
  }
  const files = logFiles(config, options.args?.[0]).filter((file) => existsSync(file));
  if (files.length === 0) {
    console.log('no logs yet (has the stack been started? `webstack up`)');
    return 0;
  }
  // Unfiltered, tail prints a "==> file <==" header per file, which is what an operator wants.
  // Filtered, every line of the chosen logs is read and only the matching ones printed.
  const argv = filtering
    ? ['-q', '-n', '+1', ...(options.follow ? ['-F'] : []), '--', ...files]
    : ['-n', String(lines), ...(options.follow ? ['-F'] : []), '--', ...files];
  return await new Promise((resolve) => {
    const child = spawn('tail', argv, { stdio: ['ignore', filtering ? 'pipe' : 'inherit', 'inherit'] });
    if (filtering && child.stdout) {
      const reader = createInterface({ input: child.stdout });
      reader.on('line', (line) => {
        if (matchesLogFilter(line, filter)) console.log(line);
      });
    }
    child.on('exit', (code) => resolve(code ?? 0));
  });
}
