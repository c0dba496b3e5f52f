import { EventEmitter } from 'node:events';
import { basename, dirname } from 'node:path';
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
import { CommandFailed } from './local.js';

/** One call made on a RecordingHost, in the order made. */
export type HostCall =
  | { op: 'run'; argv: readonly string[]; cwd?: string; input?: string | Uint8Array }
  | { op: 'start'; argv: readonly string[]; cwd?: string }
  | { op: 'signal'; pid: number; signal: NodeJS.Signals }
  | { op: 'write'; path: string; mode: number; owner?: Owner }
  | { op: 'create'; path: string; mode: number }
  | { op: 'append'; path: string; mode: number }
  | { op: 'mkdir'; path: string; mode: number; owner?: Owner }
  | { op: 'mktemp'; path: string }
  | { op: 'rename'; from: string; to: string }
  | { op: 'symlink'; target: string; path: string }
  | { op: 'remove'; path: string }
  | { op: 'chmod'; path: string; mode: number }
  | { op: 'chown'; path: string; owner: Owner }
  | { op: 'copy-in'; from: string; to: string }
  | { op: 'copy-out'; from: string; to: string };

interface StoredFile {
  content: string;
  mode: number;
  owner?: Owner;
}

export interface RecordingHostOptions {
  root?: boolean;
  /** Pids isAlive() answers true for. */
  alive?: readonly number[];
  processes?: readonly ProcessInfo[];
  users?: Record<string, Owner>;
}

/**
 * A Host that touches nothing: every call is recorded as a structured entry, run() answers from
 * canned results matched by argv prefix (default: exit 0, no output), and written files are kept
 * in memory so that later reads see them. Like Kamal's printing executor, it lets a whole
 * operation be checked in a unit test: the exact argv and the exact writes.
 */
export class RecordingHost implements Host {
  readonly calls: HostCall[] = [];
  readonly files = new Map<string, StoredFile>();
  readonly dirs = new Set<string>(['/']);
  readonly links = new Map<string, string>();
  /** Owners of directories other than root's (see seedDir). */
  private readonly dirOwners = new Map<string, Owner>();
  readonly alive: Set<number>;
  private readonly canned: { prefix: readonly string[]; result: Partial<RunResult> }[] = [];
  private readonly root: boolean;
  private readonly procs: readonly ProcessInfo[];
  private readonly users: Record<string, Owner>;
  private nextPid = 10_000;
  private temps = 0;

  constructor(options: RecordingHostOptions = {}) {
    this.root = options.root ?? false;
    this.alive = new Set(options.alive ?? []);
    this.procs = options.processes ?? [];
    this.users = options.users ?? {};
  }

  /** run() of an argv starting with PREFIX answers RESULT (the longest matching prefix wins). */
  answer(prefix: readonly string[], result: Partial<RunResult>): this {
    this.canned.push({ prefix, result });
    return this;
  }

  /** Puts a file in place without recording a call (the state before the operation). */
  seed(path: string, content: string, mode = 0o644): this {
    this.addDirs(dirname(path));
    this.files.set(path, { content, mode });
    return this;
  }

  /** Puts a directory in place, owned by OWNER, without recording a call. */
  seedDir(path: string, owner: Owner): this {
    this.addDirs(path);
    this.dirOwners.set(path, owner);
    return this;
  }

  /** The calls of one kind, e.g. every argv run. */
  argvs(): string[][] {
    return this.calls.flatMap((call) => (call.op === 'run' || call.op === 'start' ? [[...call.argv]] : []));
  }

  text(path: string): string | undefined {
    return this.files.get(path)?.content;
  }

  private addDirs(path: string): void {
    for (let dir = path; !this.dirs.has(dir); dir = dirname(dir)) this.dirs.add(dir);
  }

  async run(argv: Argv, options: RunOptions = {}): Promise<RunResult> {
    this.calls.push({
      op: 'run',
      argv: [...argv],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.input === undefined ? {} : { input: options.input }),
    });
    const match = this.canned
      .filter(({ prefix }) => prefix.length <= argv.length && prefix.every((word, i) => argv[i] === word))
      .sort((a, b) => b.prefix.length - a.prefix.length)[0];
    const result = { code: 0, stdout: '', stderr: '', ...match?.result };
    if (!(options.okCodes ?? [0]).includes(result.code)) {
      throw new CommandFailed(argv, result, (result.stderr || result.stdout).trim());
    }
    return result;
  }

  start(argv: Argv, options: StartOptions = {}): Child {
    this.calls.push({
      op: 'start',
      argv: [...argv],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    const child = new EventEmitter() as EventEmitter & {
      pid: number;
      kill: (signal?: NodeJS.Signals) => boolean;
    };
    child.pid = this.nextPid++;
    // A stand-in with the pid and kill() (recorded as a signal) only: code under test that needs a
    // real child belongs in an integration test.
    child.kill = (signal: NodeJS.Signals = 'SIGTERM') => {
      this.calls.push({ op: 'signal', pid: child.pid, signal });
      return true;
    };
    return child as unknown as Child;
  }

  async signal(pid: number, signal: NodeJS.Signals): Promise<boolean> {
    this.calls.push({ op: 'signal', pid, signal });
    return this.alive.has(pid);
  }

  async isAlive(pid: number): Promise<boolean> {
    return this.alive.has(pid);
  }

  async isRoot(): Promise<boolean> {
    return this.root;
  }

  async userIds(user: string): Promise<Owner> {
    return this.users[user] ?? { uid: 1000, gid: 1000 };
  }

  async readText(path: string, range?: { offset: number; maxBytes: number }): Promise<string | null> {
    const file = this.files.get(path);
    if (file === undefined) return null;
    return range ? file.content.slice(range.offset, range.offset + range.maxBytes) : file.content;
  }

  async exists(path: string): Promise<boolean> {
    return this.files.has(path) || this.dirs.has(path) || this.links.has(path);
  }

  async stat(path: string): Promise<FileInfo | null> {
    const file = this.files.get(path);
    if (file) {
      const { uid, gid } = file.owner ?? { uid: 0, gid: 0 };
      return {
        size: Buffer.byteLength(file.content),
        mode: file.mode,
        uid,
        gid,
        isDirectory: false,
        isFile: true,
      };
    }
    if (this.dirs.has(path)) {
      const { uid, gid } = this.dirOwners.get(path) ?? { uid: 0, gid: 0 };
      return { size: 4096, mode: 0o755, uid, gid, isDirectory: true, isFile: false };
    }
    return null;
  }

  async list(dir: string): Promise<string[]> {
    const names = new Set<string>();
    for (const path of [...this.files.keys(), ...this.dirs, ...this.links.keys()]) {
      if (path !== dir && dirname(path) === dir) names.add(basename(path));
    }
    return [...names].sort();
  }

  async readLink(path: string): Promise<string | null> {
    return this.links.get(path) ?? null;
  }

  async writeAtomic(path: string, content: string | Uint8Array, options: FileMode): Promise<void> {
    this.calls.push({
      op: 'write',
      path,
      mode: options.mode,
      ...(options.owner ? { owner: options.owner } : {}),
    });
    this.addDirs(dirname(path));
    this.files.set(path, {
      content: typeof content === 'string' ? content : Buffer.from(content).toString('utf8'),
      mode: options.mode,
      ...(options.owner ? { owner: options.owner } : {}),
    });
  }

  async createExclusive(path: string, content: string, options: FileMode): Promise<boolean> {
    this.calls.push({ op: 'create', path, mode: options.mode });
    if (this.files.has(path)) return false;
    this.files.set(path, { content, mode: options.mode });
    return true;
  }

  async append(path: string, content: string, options: FileMode): Promise<void> {
    this.calls.push({ op: 'append', path, mode: options.mode });
    const file = this.files.get(path);
    this.files.set(path, { content: (file?.content ?? '') + content, mode: file?.mode ?? options.mode });
  }

  appendStream(path: string, options: FileMode): AppendStream {
    return {
      write: (text) => void this.append(path, text, options),
      end: async () => {},
    };
  }

  async mkdir(path: string, options: FileMode): Promise<void> {
    this.calls.push({
      op: 'mkdir',
      path,
      mode: options.mode,
      ...(options.owner ? { owner: options.owner } : {}),
    });
    this.addDirs(path);
  }

  async makeTempDir(prefix: string): Promise<string> {
    const path = `${prefix}${String(++this.temps).padStart(6, '0')}`;
    this.calls.push({ op: 'mktemp', path });
    this.addDirs(path);
    return path;
  }

  async rename(from: string, to: string): Promise<void> {
    this.calls.push({ op: 'rename', from, to });
    this.move(from, to);
  }

  private move(from: string, to: string): void {
    const moved = (path: string) =>
      path === from ? to : path.startsWith(`${from}/`) ? to + path.slice(from.length) : null;
    for (const [path, file] of [...this.files]) {
      const target = moved(path);
      if (target !== null) {
        this.files.delete(path);
        this.files.set(target, file);
      }
    }
    for (const path of [...this.dirs]) {
      const target = moved(path);
      if (target !== null) {
        this.dirs.delete(path);
        this.dirs.add(target);
      }
    }
    for (const [path, link] of [...this.links]) {
      const target = moved(path);
      if (target !== null) {
        this.links.delete(path);
        this.links.set(target, link);
      }
    }
  }

  async symlink(target: string, path: string): Promise<void> {
    this.calls.push({ op: 'symlink', target, path });
    this.links.set(path, target);
  }

  async remove(path: string): Promise<void> {
    this.calls.push({ op: 'remove', path });
    const inside = (p: string) => p === path || p.startsWith(`${path}/`);
    for (const p of [...this.files.keys()]) if (inside(p)) this.files.delete(p);
    for (const p of [...this.dirs]) if (inside(p)) this.dirs.delete(p);
    for (const p of [...this.links.keys()]) if (inside(p)) this.links.delete(p);
  }

  async chmod(path: string, mode: number): Promise<void> {
    this.calls.push({ op: 'chmod', path, mode });
    const file = this.files.get(path);
    if (file) file.mode = mode;
  }

  async chown(path: string, owner: Owner): Promise<void> {
    this.calls.push({ op: 'chown', path, owner });
  }

  async copyIn(localPath: string, path: string): Promise<void> {
    this.calls.push({ op: 'copy-in', from: localPath, to: path });
  }

  async copyOut(path: string, localPath: string): Promise<void> {
    this.calls.push({ op: 'copy-out', from: path, to: localPath });
  }

  async processes(): Promise<ProcessInfo[]> {
    return [...this.procs];
  }

  async listeners(): Promise<ProcessInfo[]> {
    return [];
  }
}
