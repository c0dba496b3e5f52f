import { execFile, type SpawnOptions, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { WebstackError } from '../core/errors.js';

/** A command as an argv array: never a shell string. */
export type Argv = readonly [string, ...string[]];

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string;
  timeoutMs?: number;
  /** Exit codes that are not failures (default: [0]). */
  okCodes?: readonly number[];
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The only place that runs processes or writes files for the stack. Commands are built
 * elsewhere as argv arrays (see commands/); this executes them.
 */
export async function run(argv: Argv, options: RunOptions = {}): Promise<RunResult> {
  const [file, ...args] = argv;
  return await new Promise((resolvePromise, reject) => {
    const child = execFile(
      file,
      args,
      {
        env: options.env ?? process.env,
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        const result = { code, stdout, stderr };
        if ((options.okCodes ?? [0]).includes(code)) {
          resolvePromise(result);
          return;
        }
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new WebstackError('COMMAND_MISSING', file, { cause: error }));
          return;
        }
        const detail = (stderr || stdout).trim().split('\n').slice(-3).join(' | ');
        reject(new CommandFailed(argv, result, detail));
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

export class CommandFailed extends WebstackError {
  constructor(
    readonly argv: Argv,
    readonly result: RunResult,
    detail: string,
  ) {
    super('COMMAND_FAILED', argv.join(' '), result.code, detail);
  }
}

/** Starts a long-running child. The caller owns it and must stop it. */
export function start(argv: Argv, options: SpawnOptions = {}) {
  const [file, ...args] = argv;
  return spawn(file, args, { stdio: 'ignore', ...options });
}

/** Writes a file atomically (temp file + rename) with the given mode. */
export async function writeFileAtomic(
  path: string,
  content: string | Uint8Array,
  mode = 0o644,
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, content, { mode });
  await chmod(temp, mode);
  await rename(temp, path);
}

export async function readTextIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Creates a directory (and its parents) if missing. */
export async function ensureDir(path: string, mode = 0o755): Promise<void> {
  await mkdir(path, { recursive: true, mode });
}

/** Creates a fresh private directory under the OS temp dir, e.g. for a throwaway server's files. */
export async function makeTempDir(prefix: string): Promise<string> {
  return await mkdtemp(join(tmpdir(), prefix));
}

/** Removes a file or directory tree; missing is fine. */
export async function removePath(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

/** True while a process exists (EPERM: it exists, but belongs to another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
