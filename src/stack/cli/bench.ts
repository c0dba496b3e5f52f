import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResolvedConfig } from '../core/config/load.js';
import { WebstackError } from '../core/errors.js';
import { start } from '../host/local.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface BenchVerbOptions {
  duration?: string;
  connections?: string;
  scenarios?: string;
  compare?: string;
  out?: string;
}

/** The bench's argv: bench/run.ts (TypeScript, run through tsx) attached to this config's stack. Pure. */
export function benchArgv(
  nodePath: string,
  repoRoot: string,
  configFile: string | null,
  options: BenchVerbOptions,
): [string, ...string[]] {
  const pass = (flag: string, value: string | undefined) => (value === undefined ? [] : [flag, value]);
  return [
    nodePath,
    '--import',
    'tsx',
    join(repoRoot, 'bench', 'run.ts'),
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
 * Loads the running stack through Nginx and reports throughput, latency and memory. The bench
 * lives in the repository (bench/), outside the product's build, with wrk as the load generator.
 */
export async function benchVerb(config: ResolvedConfig, options: BenchVerbOptions): Promise<number> {
  if (!existsSync(join(root, 'bench', 'run.ts')) || !existsSync(join(root, 'node_modules', 'tsx'))) {
    throw new WebstackError('BENCH_MISSING');
  }
  // The bench runs from the checkout: paths the operator typed are relative to where they typed them.
  const paths = {
    ...options,
    ...(options.compare ? { compare: resolve(options.compare) } : {}),
    ...(options.out ? { out: resolve(options.out) } : {}),
  };
  const child = start(benchArgv(process.execPath, root, config.file, paths), { stdio: 'inherit', cwd: root });
  return await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}
