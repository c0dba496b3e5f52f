import type { Argv } from '../../host/host.js';

/** Checks a config without touching the running server; -q prints only errors. */
export function test(conf: string, prefix: string): Argv {
  return ['nginx', '-t', '-q', '-p', prefix, '-c', conf];
}

/** Runs nginx in the foreground, as a child of the supervisor (the -g value is one argv element). */
export function run(conf: string, prefix: string): Argv {
  return ['nginx', '-p', prefix, '-c', conf, '-g', 'daemon off;'];
}

/** Prints the version and configure arguments (on stderr): which modules this nginx has. */
export function version(): Argv {
  return ['nginx', '-V'];
}
