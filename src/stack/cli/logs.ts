import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ResolvedConfig } from '../config/load.js';
import { WebstackError } from '../errors.js';
import { statePaths } from '../paths.js';

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
    throw new WebstackError(
      'LOGS_UNKNOWN_COMPONENT',
      `no component "${component}"`,
      `use one of: ${COMPONENTS.join(', ')}`,
    );
  }
  return files[component as (typeof COMPONENTS)[number]];
}

export async function logsVerb(
  config: ResolvedConfig,
  options: { follow?: boolean; lines?: string; args?: string[] },
): Promise<number> {
  const lines = Number(options.lines ?? '50');
  if (!Number.isInteger(lines) || lines < 0 || lines > 1_000_000) {
    throw new WebstackError(
      'LOGS_BAD_LINES',
      `--lines must be a whole number, not "${options.lines}"`,
      'pass e.g. --lines 100',
    );
  }
  const files = logFiles(config, options.args?.[0]).filter((file) => existsSync(file));
  if (files.length === 0) {
    console.log('no logs yet (has the stack been started? `webstack up`)');
    return 0;
  }
  // tail prints a "==> file <==" header per file, which is what an operator wants here.
  const argv = ['-n', String(lines), ...(options.follow ? ['-F'] : []), '--', ...files];
  return await new Promise((resolve) => {
    const child = spawn('tail', argv, { stdio: 'inherit' });
    child.on('exit', (code) => resolve(code ?? 0));
  });
}
