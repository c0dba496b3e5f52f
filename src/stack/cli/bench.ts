import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResolvedConfig } from '../core/config/load.js';
import { WebstackError } from '../core/errors.js';
import { localHost } from '../host/index.js';

/** dist/: this file is dist/stack/cli/bench.js in the build. */
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const root = join(dist, '..');
/** The compiled bench (`npm run build` compiles bench/ into dist/bench, with what it imports). */
export const BENCH_ENTRY = join(dist, 'bench', 'bench', 'run.js');

export interface BenchVerbOptions {
  duration?: string;
  connections?: string;
  scenarios?: string;
  compare?: string;
  out?: string;
}

/** The bench's argv: the compiled bench (plain node, no tsx) attached to this config's stack. Pure. */
export function benchArgv(
  nodePath: string,
  benchEntry: string,
  configFile: string | null,
  options: BenchVerbOptions,
): [string, ...string[]] {
  const pass = (flag: string, value: string | undefined) => (value === undefined ? [] : [flag, value]);
  return [
    nodePath,
    benchEntry,
    '--attach',
    ...pass('--config', configFile ?? undefined),
    ...pass('--duration', options.duration),
    ...pass('--connections', options.connections),
    ...pass('--scenarios', options.scenarios),
    ...pass('--compare', options.compare),
    ...pass('--out', options.out),
  ];
}

/**
 * Loads the running stack through Nginx and reports throughput, latency and memory. The bench's
 * sources live in bench/; it runs compiled, from dist/bench, with wrk as the load generator.
 */
export async function benchVerb(config: ResolvedConfig, options: BenchVerbOptions): Promise<number> {
  if (!(await localHost.exists(BENCH_ENTRY))) throw new WebstackError('BENCH_MISSING', BENCH_ENTRY);
  // The report goes under the checkout: paths the operator typed are relative to where they typed them.
  const paths = {
    ...options,
    ...(options.compare ? { compare: resolve(options.compare) } : {}),
    ...(options.out ? { out: resolve(options.out) } : {}),
  };
  const child = localHost.start(benchArgv(process.execPath, BENCH_ENTRY, config.file, paths), {
    stdio: 'inherit',
    cwd: root,
  });
  return await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}
