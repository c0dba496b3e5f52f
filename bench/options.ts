/** The bench's command line, parsed into settings. Pure apart from commander's own errors. */
import { Command, InvalidArgumentError } from 'commander';

export interface BenchOptions {
  smoke: boolean;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  threads: number;
  scenarios: string[] | undefined;
  articles: number;
  products: number;
  compare: string | undefined;
  /** Load the running stack (of `config`, or the default config) instead of a bench stack. */
  attach: boolean;
  config: string | undefined;
  /** The bench stack's Nginx micro-cache (http.microCache); --no-micro-cache measures the app itself. */
  microCache: boolean;
  outDir: string;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const program = new Command('bench')
    .description('load the stack through Nginx with wrk and report throughput, latency and memory')
    .option('--smoke', 'a quick run: 3 s per scenario, small data (what the test suite runs)')
    .option('--duration <seconds>', 'seconds of load per scenario (default 10; smoke 3)', positiveInt)
    .option('--connections <count>', 'concurrent connections (default 64)', positiveInt)
    .option('--threads <count>', 'wrk threads (default 1: the load generator shares the cores)', positiveInt)
    .option('--scenarios <names>', 'comma-separated scenario names (default: all)')
    .option('--articles <count>', 'articles to load (default 10000; smoke 200)', positiveInt)
    .option('--products <count>', 'products to load (default 1000; smoke 50)', positiveInt)
    .option('--compare <file>', 'an earlier run (JSON) to print the change against')
    .option('--attach', 'load the running stack instead of bringing up a bench stack')
    .option('--config <file>', "with --attach: the running stack's config file (implies --attach)")
    .option('--no-micro-cache', 'bring the bench stack up without the Nginx micro-cache')
    .option('--out <dir>', 'where the JSON and Markdown go', 'artifacts/bench')
    .exitOverride();
  program.parse(argv, { from: 'user' });
  const o = program.opts<{
    smoke?: boolean;
    duration?: number;
    connections?: number;
    threads?: number;
    scenarios?: string;
    articles?: number;
    products?: number;
    compare?: string;
    attach?: boolean;
    config?: string;
    microCache?: boolean;
    out: string;
  }>();
  const smoke = o.smoke === true;
  return {
    smoke,
    // wrk counts only the requests that ended before its time was up: on a busy 2-core machine a
    // write took over 1 s, and a 1 s smoke run of it counted none.
    durationSeconds: o.duration ?? (smoke ? 3 : 10),
    warmupSeconds: smoke ? 0 : 1,
    connections: o.connections ?? (smoke ? 8 : 64),
    threads: o.threads ?? 1,
    scenarios: o.scenarios
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    articles: o.articles ?? (smoke ? 200 : 10_000),
    products: o.products ?? (smoke ? 50 : 1_000),
    compare: o.compare,
    attach: o.attach === true || o.config !== undefined,
    config: o.config,
    microCache: o.microCache !== false,
    outDir: o.out,
  };
}
