/**
 * A whole webstack, brought up by the real CLI (`bin/webstack up`, from the built dist/) with its
 * own state directory and free loopback ports, and brought down by `webstack down` at the end.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './nginx.js';

// The checkout: two levels up from test/support, or four from the compiled bench's copy of this
// file (dist/bench/test/support), which `webstack bench` runs without the dev tree.
const root =
  ['../..', '../../../..']
    .map((up) => fileURLToPath(new URL(up, import.meta.url)))
    .find((dir) => existsSync(join(dir, 'bin', 'webstack'))) ??
  fileURLToPath(new URL('../..', import.meta.url));
export const webstackBin = join(root, 'bin', 'webstack');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as an operator would; never throws on a non-zero exit. */
export function cli(
  args: readonly string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [webstackBin, ...args],
      { timeout: options.timeoutMs ?? 600_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.on('error', () => {}); // a CLI that exits without reading its stdin: no EPIPE
    child.stdin?.end(options.input ?? '');
  });
}

export interface TestStack {
  dir: string;
  configFile: string;
  stateDir: string;
  httpPort: number;
  appPort: number;
  dbPort: number;
  /** Runs `webstack --config <this stack's config> ...args`. */
  run(args: readonly string[], options?: { input?: string; timeoutMs?: number }): Promise<CliResult>;
  up(): Promise<CliResult>;
  down(): Promise<CliResult>;
  /** Down (if up) and remove the state directory. */
  destroy(): Promise<void>;
}

export async function createTestStack(overrides: Record<string, unknown> = {}): Promise<TestStack> {
  const dir = await mkdtemp(join(tmpdir(), 'webstack-e2e-'));
  // mkdtemp makes it 0700; the stack's unprivileged accounts (mysql, www-data) must traverse it.
  await chmod(dir, 0o755);
  const [httpPort, appPort, dbPort] = [await freePort(), await freePort(), await freePort()];
  const stateDir = join(dir, 'state');
  const configFile = join(dir, 'webstack.config.json');
  const config = {
    stateDir,
    serverIp: '127.0.0.1',
    http: { listen: '127.0.0.1', port: httpPort },
    app: { port: appPort, workers: 2 },
    database: { port: dbPort },
    // A free port, so test stacks never collide with each other or with a real stack.
    metrics: { port: 0 },
    ...overrides,
  };
  await writeFile(configFile, JSON.stringify(config, null, 2));
  const run = (args: readonly string[], options?: { input?: string; timeoutMs?: number }) =>
    cli(['--config', configFile, ...args], options);
  return {
    dir,
    configFile,
    stateDir,
    httpPort,
    appPort,
    dbPort,
    run,
    up: () => run(['up']),
    down: () => run(['down']),
    async destroy() {
      await run(['down']);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
