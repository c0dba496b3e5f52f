import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, createWriteStream, openSync } from 'node:fs';
import {
  appendFile,
  chmod,
  chown,
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { dirname } from 'node:path';
import { WebstackError } from '../core/errors.js';
import type {
  AppendStream,
  Argv,
  Child,
  FileInfo,
  FileMode,
  Host,
  Owner,
  ProcessInfo,
  RunOptions,
  RunResult,
  StartOptions,
} from './host.js';
import { listenInodes, parseProcStat } from './proc.js';

export type { Argv, RunOptions, RunResult } from './host.js';

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

/** This machine. Commands are built elsewhere as argv arrays (see the components' commands.ts). */
export class LocalHost implements Host {
  async run(argv: Argv, options: RunOptions = {}): Promise<RunResult> {
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

  start(argv: Argv, options: StartOptions = {}): Child {
    const [file, ...args] = argv;
    const { outputFile, stdio, ...rest } = options;
    if (outputFile === undefined) return spawn(file, args, { stdio: stdio ?? 'ignore', ...rest });
    const fd = openSync(outputFile, 'a', 0o640);
    try {
      return spawn(file, args, { ...rest, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd); // the child holds its own copy
    }
  }

  async signal(pid: number, signal: NodeJS.Signals): Promise<boolean> {
    try {
      process.kill(pid, signal);
      return true;
    } catch (error) {
      if (errno(error) === 'ESRCH') return false;
      throw error;
    }
  }

  async isAlive(pid: number): Promise<boolean> {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return errno(error) === 'EPERM';
    }
  }

  async isRoot(): Promise<boolean> {
    return process.getuid?.() === 0;
  }

  async userIds(user: string): Promise<Owner> {
    const uid = Number((await this.run(['id', '-u', user])).stdout.trim());
    const gid = Number((await this.run(['id', '-g', user])).stdout.trim());
    return { uid, gid };
  }

  async readText(path: string, range?: { offset: number; maxBytes: number }): Promise<string | null> {
    try {
      if (range === undefined) return await readFile(path, 'utf8');
      const file = await open(path, 'r');
      try {
        const { size } = await file.stat();
        const length = Math.min(Math.max(size - range.offset, 0), range.maxBytes);
        const buffer = Buffer.alloc(length);
        await file.read(buffer, 0, length, range.offset);
        return buffer.toString('utf8');
      } finally {
        await file.close();
      }
    } catch (error) {
      if (errno(error) === 'ENOENT') return null;
      throw error;
    }
  }

  async exists(path: string): Promise<boolean> {
    return (await this.stat(path)) !== null;
  }

  async stat(path: string): Promise<FileInfo | null> {
    try {
      const info = await stat(path);
      return {
        size: info.size,
        mode: info.mode,
        uid: info.uid,
        gid: info.gid,
        isDirectory: info.isDirectory(),
        isFile: info.isFile(),
      };
    } catch (error) {
      if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') return null;
      throw error;
    }
  }

  async list(dir: string): Promise<string[]> {
    try {
      return (await readdir(dir)).sort();
    } catch (error) {
      if (errno(error) === 'ENOENT') return [];
      throw error;
    }
  }

  async readLink(path: string): Promise<string | null> {
    try {
      return await readlink(path);
    } catch {
      return null;
    }
  }

  async writeAtomic(path: string, content: string | Uint8Array, options: FileMode): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temp, content, { mode: options.mode });
    await chmod(temp, options.mode);
    if (options.owner) await chown(temp, options.owner.uid, options.owner.gid);
    await rename(temp, path);
  }

  async createExclusive(path: string, content: string, options: FileMode): Promise<boolean> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, 'wx', options.mode);
    } catch (error) {
      if (errno(error) === 'EEXIST') return false;
      throw error;
    }
    try {
      await handle.writeFile(content);
      if (options.owner) await handle.chown(options.owner.uid, options.owner.gid);
    } finally {
      await handle.close();
    }
    return true;
  }

  async append(path: string, content: string, options: FileMode): Promise<void> {
    await appendFile(path, content, { mode: options.mode });
    if (options.owner) await chown(path, options.owner.uid, options.owner.gid);
  }

  appendStream(path: string, options: FileMode): AppendStream {
    const stream = createWriteStream(path, { flags: 'a', mode: options.mode });
    return {
      write: (text) => void stream.write(text),
      end: () => new Promise<void>((resolve) => stream.end(resolve)),
    };
  }

  async mkdir(path: string, options: FileMode): Promise<void> {
    await mkdir(path, { recursive: true, mode: options.mode });
    if (options.owner) await chown(path, options.owner.uid, options.owner.gid);
  }

  async makeTempDir(prefix: string): Promise<string> {
    return await mkdtemp(prefix);
  }

  async rename(from: string, to: string): Promise<void> {
    await rename(from, to);
  }

  async symlink(target: string, path: string): Promise<void> {
    const temp = `${path}.tmp`;
    await rm(temp, { force: true });
    await symlink(target, temp);
    await rename(temp, path);
  }

  async remove(path: string): Promise<void> {
    await rm(path, { recursive: true, force: true });
  }

  async chmod(path: string, mode: number): Promise<void> {
    await chmod(path, mode);
  }

  async chown(path: string, owner: Owner): Promise<void> {
    await chown(path, owner.uid, owner.gid);
  }

  async copyIn(localPath: string, path: string): Promise<void> {
    await this.run(['cp', '-a', '--', localPath, path]);
  }

  async copyOut(path: string, localPath: string): Promise<void> {
    await this.run(['cp', '-a', '--', path, localPath]);
  }

  /** The one /proc scanner: pid, ppid and name of every process. */
  async processes(): Promise<ProcessInfo[]> {
    const all: ProcessInfo[] = [];
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const text = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
      const info = parseProcStat(Number(entry), text);
      if (info) all.push(info);
    }
    return all;
  }

  async listeners(port: number, options: { comm?: string; file?: string } = {}): Promise<ProcessInfo[]> {
    const targets = new Set(
      listenInodes(await readFile('/proc/net/tcp', 'utf8').catch(() => ''), port).map(
        (inode) => `socket:[${inode}]`,
      ),
    );
    if (options.file !== undefined) targets.add(options.file);
    if (targets.size === 0) return [];
    const holders: ProcessInfo[] = [];
    for (const proc of await this.processes()) {
      if (proc.pid === process.pid || (options.comm !== undefined && proc.comm !== options.comm)) continue;
      const fds = await readdir(`/proc/${proc.pid}/fd`).catch(() => [] as string[]);
      for (const fd of fds) {
        if (targets.has(await readlink(`/proc/${proc.pid}/fd/${fd}`).catch(() => ''))) {
          holders.push(proc);
          break;
        }
      }
    }
    return holders;
  }
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

/** The machine this process runs on. */
export const localHost: Host = new LocalHost();
