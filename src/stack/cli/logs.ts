import { createInterface } from 'node:readline';
import { keepalivedPaths } from '../components/keepalived/component.js';
import type { ResolvedConfig } from '../core/config/load.js';
import { WebstackError } from '../core/errors.js';
import { statePaths } from '../core/paths.js';
import { type Argv, type Host, localHost } from '../host/index.js';
import { type LogFilter, matchesLogFilter } from './log-filter.js';

const COMPONENTS = [
  'nginx',
  'nginx-access',
  'nginx-error',
  'app',
  'mariadb',
  'keepalived',
  'webstack',
] as const;

export function logFiles(config: ResolvedConfig, component: string | undefined): string[] {
  const paths = statePaths(config.stateDir);
  const files: Record<(typeof COMPONENTS)[number], string[]> = {
    nginx: [paths.nginx.accessLog, paths.nginx.errorLog],
    'nginx-access': [paths.nginx.accessLog],
    'nginx-error': [paths.nginx.errorLog],
    app: [paths.app.log],
    mariadb: [paths.mariadb.log],
    keepalived: [keepalivedPaths(paths.run, paths.logs).log],
    webstack: [paths.supervisorLog],
  };
  if (component === undefined) return [...new Set(Object.values(files).flat())];
  if (!(COMPONENTS as readonly string[]).includes(component)) {
    throw new WebstackError('LOGS_UNKNOWN_COMPONENT', component, COMPONENTS.join(', '));
  }
  return files[component as (typeof COMPONENTS)[number]];
}

export interface LogsOptions {
  follow?: boolean;
  lines?: string;
  args?: string[];
  requestId?: string;
  status?: string;
  host?: string;
}

/** The verb's options, checked: what showLogs takes. */
export function logOptions(options: LogsOptions): { lines: number; follow: boolean; filter: LogFilter } {
  const filter: LogFilter = {};
  if (options.requestId !== undefined) filter.requestId = options.requestId;
  if (options.status !== undefined) {
    const status = Number(options.status);
    if (!Number.isInteger(status) || status < 100 || status > 599) {
      throw new WebstackError('LOGS_BAD_STATUS', options.status);
    }
    filter.status = status;
  }
  const lines = Number(options.lines ?? '50');
  if (!Number.isInteger(lines) || lines < 0 || lines > 1_000_000) {
    throw new WebstackError('LOGS_BAD_LINES', String(options.lines));
  }
  return { lines, follow: options.follow === true, filter };
}

export async function logsVerb(config: ResolvedConfig, options: LogsOptions): Promise<number> {
  if (options.host !== undefined) throw new WebstackError('LOGS_NO_HOSTS', options.host);
  return await showLogs(localHost, logFiles(config, options.args?.[0]), logOptions(options));
}

/** Prints (and with follow, keeps printing) the existing ones of FILES on the host, through tail. */
export async function showLogs(
  host: Host,
  logs: readonly string[],
  options: { lines: number; follow: boolean; filter: LogFilter; prefix?: string },
): Promise<number> {
  const { filter, prefix } = options;
  const filtering = filter.requestId !== undefined || filter.status !== undefined;
  const mark = prefix === undefined ? '' : `${prefix.padEnd(6)} `;
  const files: string[] = [];
  for (const file of logs) if (await host.exists(file)) files.push(file);
  if (files.length === 0) {
    console.log(`${mark}no logs yet (has the stack been started? \`webstack up\`)`);
    return 0;
  }
  // Unfiltered, tail prints a "==> file <==" header per file, which is what an operator wants.
  // Filtered, every line of the chosen logs is read and only the matching ones printed. Lines of
  // several hosts at once carry the host's name.
  const reading = filtering || prefix !== undefined;
  return await new Promise((resolve) => {
    const child = host.start(tailArgv(files, { ...options, filtering }), {
      stdio: ['ignore', reading ? 'pipe' : 'inherit', 'inherit'],
    });
    if (reading && child.stdout) {
      const reader = createInterface({ input: child.stdout });
      reader.on('line', (line) => {
        if (!filtering || matchesLogFilter(line, filter)) console.log(`${mark}${line}`);
      });
    }
    // 'close': after the output pipe is drained (a prefixed line may still be on its way at 'exit').
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** tail's argv for the chosen logs: all of every file when filtering, else the last LINES of each. */
export function tailArgv(
  files: readonly string[],
  options: { lines: number; follow: boolean; filtering: boolean },
): Argv {
  const follow = options.follow ? ['-F'] : [];
  return options.filtering
    ? ['tail', '-q', '-n', '+1', ...follow, '--', ...files]
    : ['tail', '-n', String(options.lines), ...follow, '--', ...files];
}
