/**
 * The stack under load: brought up by the real CLI in a temp dir (test/support/stack.ts), or an
 * already running one named by its config file. Also times `webstack up` on an initialised state.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { loadConfig, type ResolvedConfig } from '../src/stack/core/config/load.js';
import { statePaths } from '../src/stack/core/paths.js';
import { type CliResult, cli, createTestStack } from '../test/support/stack.js';
import { pidsFromStatus, type StackPids } from './rss.js';

export interface BenchStack {
  configFile: string | null;
  config: ResolvedConfig;
  /** A directory the bench may write into (the temp dir, or a fresh one beside a running stack). */
  dir: string | null;
  /** True when this bench brought the stack up (and so takes it down). */
  owned: boolean;
  run(args: readonly string[]): Promise<CliResult>;
  destroy(): Promise<void>;
}

function check(result: CliResult, what: string): void {
  if (result.code !== 0)
    throw new Error(`${what} failed (exit ${result.code}):\n${result.stderr}${result.stdout.slice(-2000)}`);
}

export async function bringUpStack(options: { microCache: boolean }): Promise<BenchStack> {
  const stack = await createTestStack({ seed: false });
  try {
    // The bench configuration: no per-address login limit at Nginx, so that the login scenario
    // measures a login (argon2id and a session row), not the limiter.
    // The site's own limiter (per address, per worker) is raised for the same reason.
    const config = JSON.parse(await readFile(stack.configFile, 'utf8')) as {
      http: Record<string, unknown>;
      app?: Record<string, unknown>;
    };
    config.http.authRatePerMinute = 0;
    config.app = { ...config.app, authRatePerMinute: 1_000_000 };
    config.http.microCache = options.microCache;
    await writeFile(stack.configFile, JSON.stringify(config, null, 2));
    check(await stack.up(), 'webstack up');
  } catch (error) {
    await stack.destroy();
    throw error;
  }
  return {
    configFile: stack.configFile,
    config: loadConfig(stack.configFile),
    dir: stack.dir,
    owned: true,
    run: stack.run,
    destroy: stack.destroy,
  };
}

/** A running stack, named by its config file (or the default config when none is given). */
export async function attachStack(configFile: string | undefined): Promise<BenchStack> {
  const config = loadConfig(configFile);
  const flags = config.file ? ['--config', config.file] : [];
  const run = (args: readonly string[]) => cli([...flags, ...args], { timeoutMs: 60_000 });
  check(await run(['status']), 'webstack status (the stack must be up and healthy)');
  return {
    configFile: config.file,
    config,
    dir: null,
    owned: false,
    run,
    destroy: async () => {},
  };
}

export async function stackPids(stack: BenchStack): Promise<StackPids> {
  const result = await stack.run(['status', '--json']);
  return pidsFromStatus(result.stdout);
}

/** Supervisor log lines of the last start: each phase and how long it took until the next. Pure. */
export function upPhases(log: string): { phase: string; seconds: number }[] {
  const lines = log
    .split('\n')
    .map((line) => /^(\d{4}-\d\d-\d\dT[\d:.]+Z) (.*)$/.exec(line))
    .flatMap((m) => (m?.[1] && m[2] ? [{ at: Date.parse(m[1]), phase: m[2] }] : []));
  const start = lines.findLastIndex((l) => l.phase === 'preparing the state directory');
  if (start < 0) return [];
  const run = lines.slice(start);
  const end = run.findIndex((l) => l.phase.startsWith('serving '));
  const phases = end < 0 ? run : run.slice(0, end + 1);
  return phases.slice(0, -1).map((l, i) => ({
    phase: l.phase.slice(0, 80),
    seconds: ((phases[i + 1]?.at ?? l.at) - l.at) / 1000,
  }));
}

/** `webstack down`, then `webstack up` timed from its start until it exits healthy. */
export async function timeRestart(
  stack: BenchStack,
): Promise<{ seconds: number; phases: { phase: string; seconds: number }[] }> {
  check(await stack.run(['down']), 'webstack down');
  const started = process.hrtime.bigint();
  check(await stack.run(['up']), 'webstack up (restart)');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const log = await readFile(statePaths(stack.config.stateDir).supervisorLog, 'utf8');
  return { seconds, phases: upPhases(log) };
}
