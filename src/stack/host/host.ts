import type { ChildProcess, StdioOptions } from 'node:child_process';

export { CommandFailed } from './local.js';

/** A command as an argv array: never a shell string. */
export type Argv = readonly [string, ...string[]];

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string | Uint8Array;
  timeoutMs?: number;
  /** Exit codes that are not failures (default: [0]). */
  okCodes?: readonly number[];
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Default 'ignore'. */
  stdio?: StdioOptions;
  detached?: boolean;
  /** Appends the child's stdout and stderr to this file (created with mode 0640); overrides stdio. */
  outputFile?: string;
}

/** A long-running child process started on a host. The caller owns it and must stop it. */
export type Child = ChildProcess;

/** A system account, as files are owned. */
export interface Owner {
  uid: number;
  gid: number;
}

export interface FileMode {
  mode: number;
  owner?: Owner;
}

export interface FileInfo {
  size: number;
  mode: number;
  uid: number;
  gid: number;
  isDirectory: boolean;
  isFile: boolean;
}

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** The kernel's short command name (/proc/PID/stat), e.g. "nginx". */
  comm: string;
}

/** An append-only text stream into a file, e.g. the application's log. */
export interface AppendStream {
  write(text: string): void;
  end(): Promise<void>;
}

/**
 * The machine the stack runs on: the only way stack code spawns, signals, reads /proc or writes
 * files. Components take a Host, so the same component runs on another machine by being handed
 * another Host (LocalHost here; an SSH host later; a RecordingHost in unit tests).
 */
export interface Host {
  /** Runs a command to completion; throws CommandFailed unless its exit code is in okCodes. */
  run(argv: Argv, options?: RunOptions): Promise<RunResult>;
  /** Starts a long-running child process. */
  start(argv: Argv, options?: StartOptions): Child;
  /** Sends a signal; false when the process no longer exists. */
  signal(pid: number, signal: NodeJS.Signals): Promise<boolean>;
  /** True while the process exists (EPERM: it exists, but belongs to another user). */
  isAlive(pid: number): Promise<boolean>;
  /** True when this host's stack runs as root. */
  isRoot(): Promise<boolean>;
  /** The uid and gid of a system account. */
  userIds(user: string): Promise<Owner>;

  /** A text file's content (from byte `offset`, at most `maxBytes`), or null when it is missing. */
  readText(path: string, range?: { offset: number; maxBytes: number }): Promise<string | null>;
  exists(path: string): Promise<boolean>;
  stat(path: string): Promise<FileInfo | null>;
  /** The entries of a directory, sorted; a missing directory has none. */
  list(dir: string): Promise<string[]>;
  /** A symlink's target, or null when PATH is not a symlink. */
  readLink(path: string): Promise<string | null>;

  /** Writes a file atomically: a temp file (mode and owner applied) renamed into place; makes the parent. */
  writeAtomic(path: string, content: string | Uint8Array, options: FileMode): Promise<void>;
  /** Creates a file only if it does not exist yet; false when it already does. */
  createExclusive(path: string, content: string, options: FileMode): Promise<boolean>;
  /** Appends to a file, creating it with the mode if missing. */
  append(path: string, content: string, options: FileMode): Promise<void>;
  appendStream(path: string, options: FileMode): AppendStream;
  /** Creates a directory and its parents if missing; mode and owner apply to the last one. */
  mkdir(path: string, options: FileMode): Promise<void>;
  /** Creates a fresh directory named PREFIX + random characters. */
  makeTempDir(prefix: string): Promise<string>;
  rename(from: string, to: string): Promise<void>;
  /** Points PATH at TARGET, atomically replacing what PATH was (a new link renamed over it). */
  symlink(target: string, path: string): Promise<void>;
  /** Removes a file or a tree; missing is fine. */
  remove(path: string): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  chown(path: string, owner: Owner): Promise<void>;
  /** Copies a file or tree from this machine onto the host. */
  copyIn(localPath: string, path: string): Promise<void>;
  /** Copies a file or tree from the host onto this machine. */
  copyOut(path: string, localPath: string): Promise<void>;

  /** The processes running on the host. */
  processes(): Promise<ProcessInfo[]>;
  /**
   * The processes (other than this one) holding a LISTEN TCP socket on PORT (any address), or
   * having FILE open; only those named COMM when given.
   */
  listeners(port: number, options?: { comm?: string; file?: string }): Promise<ProcessInfo[]>;
}
