/**
 * wrk: the argv (pure), its output parsed (pure), and one bounded run. The Lua script's done()
 * prints one `BENCH_JSON {...}` line, so nothing depends on wrk's human-readable text.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const SCENARIO_SCRIPT = fileURLToPath(new URL('./lua/scenario.lua', import.meta.url));

export interface WrkOptions {
  url: string;
  host: string;
  durationSeconds: number;
  connections: number;
  threads: number;
  /** Requests slower than this count as timeouts (wrk's own --timeout). */
  timeoutSeconds: number;
  script: string;
}

export interface WrkResult {
  requests: number;
  durationUs: number;
  bytes: number;
  connectErrors: number;
  readErrors: number;
  writeErrors: number;
  /** Responses with a status >= 400 (wrk's "Non-2xx or 3xx responses"). */
  statusErrors: number;
  timeouts: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  meanUs: number;
  maxUs: number;
}

export function wrkArgv(o: WrkOptions): [string, ...string[]] {
  return [
    'wrk',
    `-t${o.threads}`,
    `-c${Math.max(o.connections, o.threads)}`,
    `-d${o.durationSeconds}s`,
    `--timeout`,
    `${o.timeoutSeconds}s`,
    '--latency',
    '-s',
    o.script,
    '-H',
    `Host: ${o.host}`,
    o.url,
  ];
}

const NUMERIC_KEYS: readonly (keyof WrkResult)[] = [
  'requests',
  'durationUs',
  'bytes',
  'connectErrors',
  'readErrors',
  'writeErrors',
  'statusErrors',
  'timeouts',
  'p50Us',
  'p90Us',
  'p99Us',
  'meanUs',
  'maxUs',
];

/** Finds the done() line in wrk's output; throws when it is missing or incomplete. */
export function parseWrkOutput(stdout: string): WrkResult {
  const line = stdout.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (!line) throw new Error(`wrk printed no result line:\n${stdout.slice(-500)}`);
  const raw = JSON.parse(line.slice('BENCH_JSON '.length)) as Record<string, unknown>;
  const result = {} as WrkResult;
  for (const key of NUMERIC_KEYS) {
    const value = raw[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`wrk result lacks ${key}`);
    result[key] = value;
  }
  return result;
}

/** Runs wrk, printing a progress line every few seconds; killed by PID if it overruns. */
export async function runWrk(
  options: WrkOptions,
  env: Record<string, string>,
  progress: (elapsedSeconds: number) => void,
): Promise<WrkResult> {
  const [file, ...args] = wrkArgv(options);
  const child = spawn(file, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const started = Date.now();
  const ticker = setInterval(() => progress((Date.now() - started) / 1000), 2000);
  const limit = setTimeout(() => child.kill('SIGKILL'), (options.durationSeconds + 20) * 1000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) throw new Error(`wrk exited with ${code}: ${stderr.trim() || stdout.slice(-300)}`);
    return parseWrkOutput(stdout);
  } finally {
    clearInterval(ticker);
    clearTimeout(limit);
  }
}
