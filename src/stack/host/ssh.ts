import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { basename, dirname } from 'node:path';
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
import { CommandFailed, localHost } from './local.js';
import { listenInodes, parseProcStat } from './proc.js';
import { type SshFiles, type SshTarget, sshClose, sshFailure, sshRun } from './ssh-commands.js';

/** ssh's own exit code: the connection failed, not the command. */
const SSH_FAILED = 255;
/** Every exit code a remote command may have; ssh's own failure is told apart afterwards. */
const ANY_CODE = Array.from({ length: 256 }, (_, code) => code);

/**
 * Fixed scripts for the operations a single command cannot do. Values never go into a script: they
 * are its positional parameters ("$1", "$2", …), so the remote shell never parses them.
 */
const SCRIPTS = {
  /** $1 path, $2 mode, $3 owner (uid:gid or ""): stdin → a temp file beside it, renamed into place. */
  writeAtomic:
    'set -e; umask 077; d=$(dirname -- "$1"); mkdir -p -- "$d"; t="$1.$4.tmp"; cat > "$t"; chmod "$2" "$t"; ' +
    'if [ -n "$3" ]; then chown "$3" "$t"; fi; mv -f -- "$t" "$1"',
  /** Exit 3 when $1 exists; otherwise stdin → $1 with mode $2 and owner $3. */
  createExclusive:
    'set -e; umask 077; set -C; if ! cat > "$1" 2>/dev/null; then [ -e "$1" ] && exit 3; exit 1; fi; chmod "$2" "$1"; ' +
    'if [ -n "$3" ]; then chown "$3" "$1"; fi',
  append:
    'set -e; if [ ! -e "$1" ]; then install -m "$2" /dev/null "$1"; fi; cat >> "$1"; if [ -n "$3" ]; then chown "$3" "$1"; fi',
  mkdir: 'set -e; mkdir -p -- "$1"; chmod "$2" "$1"; if [ -n "$3" ]; then chown "$3" "$1"; fi',
  symlink: 'set -e; rm -f -- "$2.tmp"; ln -s -- "$1" "$2.tmp"; mv -f -T -- "$2.tmp" "$2"',
  /** "/proc/PID STAT-LINE" for every process, one per line. */
  processes:
    'for d in /proc/[0-9]*; do s=$(cat "$d/stat" 2>/dev/null) && printf "%s %s\\n" "$d" "$s"; done; true',
  /** "PID TARGET" for every open descriptor of every process. */
  descriptors: 'find /proc/[0-9]*/fd -mindepth 1 -maxdepth 1 -type l -printf "%h %l\\n" 2>/dev/null; true',
  /** stdin (a tar stream) unpacked into the directory $1. */
  untar: 'set -e; mkdir -p -- "$1"; tar -C "$1" -xf -',
} as const;

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

function ownerArg(options: FileMode): string {
  return options.owner ? `${options.owner.uid}:${options.owner.gid}` : '';
}

function missing(stderr: string): boolean {
  return /No such file or directory|Not a directory/.test(stderr);
}

/** The variables a caller set on top of this process's environment: only those travel. */
function addedEnv(env: NodeJS.ProcessEnv | undefined): Record<string, string> {
  const added: Record<string, string> = {};
  for (const [key, value] of Object.entries(env ?? {})) {
    if (value !== undefined && process.env[key] !== value) added[key] = value;
  }
  return added;
}

/**
 * A host reached over SSH with Debian's OpenSSH client: the same operations as LocalHost, each
 * one remote command (a builder's argv quoted word by word, or a fixed script with its values as
 * arguments). One multiplexed connection per host serves a whole verb; close() ends it.
 */
export class SshHost implements Host {
  private controlDirReady: Promise<void> | undefined;

  constructor(
    readonly name: string,
    private readonly target: SshTarget,
    private readonly files: SshFiles,
  ) {}

  /** The directory of this host's multiplexing socket. */
  get controlDir(): string {
    return this.files.controlDir;
  }

  private sshArgv(argv: Argv, options: { env?: Record<string, string>; cwd?: string } = {}): Argv {
    return sshRun(this.target, this.files, argv, options);
  }

  /** Runs argv remotely; any exit code of the command is returned, a failed connection throws. */
  private async remote(
    argv: Argv,
    options: {
      input?: string | Uint8Array;
      env?: Record<string, string>;
      cwd?: string;
      timeoutMs?: number;
    } = {},
  ): Promise<RunResult> {
    // The multiplexing socket's directory, made once per host rather than before every command.
    this.controlDirReady ??= this.makeControlDir();
    await this.controlDirReady;
    // In a session of its own: a Ctrl-C at the operator's terminal reaches webstack, which stops
    // between steps, and never cuts a remote step (a switch, a copy) off half-way.
    const result = await localHost.run(['setsid', '-w', ...this.sshArgv(argv, options)], {
      okCodes: ANY_CODE,
      ...(options.input === undefined ? {} : { input: options.input }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    if (result.code === SSH_FAILED) this.connectionFailed(result.stderr);
    return result;
  }

  /**
   * The multiplexing sockets carry every command of the verb: their directory must be this user's
   * alone, also when it already existed (another user could have made it first, e.g. under /tmp).
   */
  private async makeControlDir(): Promise<void> {
    const dir = this.files.controlDir;
    await localHost.mkdir(dir, { mode: 0o700 });
    const info = await localHost.stat(dir);
    if (!info?.isDirectory || info.uid !== process.getuid?.() || (info.mode & 0o077) !== 0)
      throw new WebstackError('SSH_CONTROL_DIR_UNSAFE', dir);
  }

  private connectionFailed(stderr: string): void {
    const kind = sshFailure(stderr);
    const where = `${this.name} (${this.target.user}@${this.target.address}:${this.target.port})`;
    if (kind === 'host-key-changed')
      throw new WebstackError('SSH_HOST_KEY_CHANGED', where, this.files.knownHosts, this.target.address);
    if (kind === 'auth') throw new WebstackError('SSH_AUTH_FAILED', where);
    if (kind === 'unreachable')
      throw new WebstackError('SSH_UNREACHABLE', where, stderr.trim().split('\n').pop() ?? '');
    // Exit 255 with another reason (a reset, a failed key exchange): still ssh's failure, not an answer.
    throw new WebstackError('SSH_FAILED', where, stderr.trim().split('\n').pop() ?? 'no reason given');
  }

  private async script(
    name: keyof typeof SCRIPTS,
    args: string[],
    input?: string | Uint8Array,
  ): Promise<RunResult> {
    return await this.remote(
      ['sh', '-c', SCRIPTS[name], 'sh', ...args],
      input === undefined ? {} : { input },
    );
  }

  private check(argv: Argv, result: RunResult, okCodes: readonly number[] = [0]): RunResult {
    if (okCodes.includes(result.code)) return result;
    const detail = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ');
    throw new CommandFailed([`${this.name}:`, ...argv], result, detail);
  }

  async run(argv: Argv, options: RunOptions = {}): Promise<RunResult> {
    const result = await this.remote(argv, {
      env: addedEnv(options.env),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.input === undefined ? {} : { input: options.input }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    if (result.code === 127 && /command not found|No such file/.test(result.stderr))
      throw new WebstackError('COMMAND_MISSING', `${argv[0]} (on ${this.name})`);
    return this.check(argv, result, options.okCodes);
  }

  /**
   * A long-running remote command, for as long as its ssh session lives: the returned child is the
   * local ssh client. Output to a file is appended on the host.
   */
  start(argv: Argv, options: StartOptions = {}): Child {
    const env = addedEnv(options.env);
    const inner =
      options.outputFile === undefined
        ? argv
        : (['sh', '-c', 'f=$1; shift; exec "$@" >> "$f" 2>&1', 'sh', options.outputFile, ...argv] as const);
    const [file, ...args] = this.sshArgv(inner, {
      env,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    return spawn(file, args, {
      stdio: options.stdio ?? 'ignore',
      ...(options.detached ? { detached: true } : {}),
    });
  }

  async signal(pid: number, signal: NodeJS.Signals): Promise<boolean> {
    const argv: Argv = ['kill', '-s', signal.replace(/^SIG/, ''), String(pid)];
    const result = await this.remote(argv);
    if (result.code === 0) return true;
    if (/No such process/.test(result.stderr)) return false;
    this.check(argv, result);
    return false;
  }

  async isAlive(pid: number): Promise<boolean> {
    const result = await this.remote(['kill', '-0', String(pid)]);
    return result.code === 0 || /Operation not permitted/.test(result.stderr);
  }

  async isRoot(): Promise<boolean> {
    return (await this.run(['id', '-u'])).stdout.trim() === '0';
  }

  async userIds(user: string): Promise<Owner> {
    const uid = Number((await this.run(['id', '-u', user])).stdout.trim());
    const gid = Number((await this.run(['id', '-g', user])).stdout.trim());
    return { uid, gid };
  }

  async readText(path: string, range?: { offset: number; maxBytes: number }): Promise<string | null> {
    const argv: Argv =
      range === undefined
        ? ['cat', '--', path]
        : [
            'dd',
            `if=${path}`,
            'iflag=skip_bytes,count_bytes',
            `skip=${range.offset}`,
            `count=${range.maxBytes}`,
            'status=none',
          ];
    const result = await this.remote(argv);
    if (result.code !== 0 && missing(result.stderr)) return null;
    return this.check(argv, result).stdout;
  }

  async exists(path: string): Promise<boolean> {
    return (await this.remote(['test', '-e', path])).code === 0;
  }

  async stat(path: string): Promise<FileInfo | null> {
    const argv: Argv = ['stat', '-L', '-c', '%s %f %u %g', '--', path];
    const result = await this.remote(argv);
    if (result.code !== 0 && missing(result.stderr)) return null;
    const [size, mode, uid, gid] = this.check(argv, result).stdout.trim().split(' ');
    const bits = Number.parseInt(mode ?? '0', 16);
    const type = bits & 0o170000;
    return {
      size: Number(size),
      mode: bits,
      uid: Number(uid),
      gid: Number(gid),
      isDirectory: type === 0o040000,
      isFile: type === 0o100000,
    };
  }

  async list(dir: string): Promise<string[]> {
    const argv: Argv = ['find', dir, '-mindepth', '1', '-maxdepth', '1', '-printf', '%f\\0'];
    const result = await this.remote(argv);
    if (result.code !== 0 && missing(result.stderr)) return [];
    return this.check(argv, result).stdout.split('\0').filter(Boolean).sort();
  }

  async readLink(path: string): Promise<string | null> {
    const result = await this.remote(['readlink', '--', path]);
    return result.code === 0 ? result.stdout.replace(/\n$/, '') : null;
  }

  async writeAtomic(path: string, content: string | Uint8Array, options: FileMode): Promise<void> {
    const args = [path, octal(options.mode), ownerArg(options), randomBytes(4).toString('hex')];
    this.check(['write', path], await this.script('writeAtomic', args, content));
  }

  async createExclusive(path: string, content: string, options: FileMode): Promise<boolean> {
    const result = await this.script(
      'createExclusive',
      [path, octal(options.mode), ownerArg(options)],
      content,
    );
    if (result.code === 3) return false;
    this.check(['create', path], result);
    return true;
  }

  async append(path: string, content: string, options: FileMode): Promise<void> {
    this.check(
      ['append', path],
      await this.script('append', [path, octal(options.mode), ownerArg(options)], content),
    );
  }

  appendStream(path: string, options: FileMode): AppendStream {
    const [file, ...args] = this.sshArgv([
      'sh',
      '-c',
      SCRIPTS.append,
      'sh',
      path,
      octal(options.mode),
      ownerArg(options),
    ]);
    const child = spawn(file, args, { stdio: ['pipe', 'ignore', 'ignore'] });
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    return {
      write: (text) => void child.stdin.write(text),
      end: async () => {
        child.stdin.end();
        await exited;
      },
    };
  }

  async mkdir(path: string, options: FileMode): Promise<void> {
    this.check(['mkdir', path], await this.script('mkdir', [path, octal(options.mode), ownerArg(options)]));
  }

  async makeTempDir(prefix: string): Promise<string> {
    return (await this.run(['mktemp', '-d', `${prefix}XXXXXX`])).stdout.trim();
  }

  async rename(from: string, to: string): Promise<void> {
    await this.run(['mv', '-f', '-T', '--', from, to]);
  }

  async symlink(target: string, path: string): Promise<void> {
    this.check(['symlink', path], await this.script('symlink', [target, path]));
  }

  async remove(path: string): Promise<void> {
    await this.run(['rm', '-rf', '--', path]);
  }

  async chmod(path: string, mode: number): Promise<void> {
    await this.run(['chmod', octal(mode), '--', path]);
  }

  async chown(path: string, owner: Owner): Promise<void> {
    await this.run(['chown', `${owner.uid}:${owner.gid}`, '--', path]);
  }

  /** A file or tree from this machine onto the host: a tar stream over the connection, unpacked under a new name. */
  async copyIn(localPath: string, path: string): Promise<void> {
    const staging = `${path}.${randomBytes(4).toString('hex')}.in`;
    await this.pipe(
      ['tar', '-C', dirname(localPath), '-cf', '-', '--', basename(localPath)],
      this.sshArgv(['sh', '-c', SCRIPTS.untar, 'sh', staging]),
    );
    await this.run(['mv', '-f', '-T', '--', `${staging}/${basename(localPath)}`, path]);
    await this.remove(staging);
  }

  /** A file or tree from the host onto this machine. */
  async copyOut(path: string, localPath: string): Promise<void> {
    const staging = await localHost.makeTempDir(`${dirname(localPath)}/.${basename(localPath)}.`);
    try {
      await this.pipe(this.sshArgv(['tar', '-C', dirname(path), '-cf', '-', '--', basename(path)]), [
        'tar',
        '-C',
        staging,
        '-xf',
        '-',
      ]);
      await localHost.rename(`${staging}/${basename(path)}`, localPath);
    } finally {
      await localHost.remove(staging);
    }
  }

  /** from | to, both local processes (one of them the ssh client); fails if either fails. */
  private async pipe(from: Argv, to: Argv): Promise<void> {
    const [fromFile, ...fromArgs] = from;
    const [toFile, ...toArgs] = to;
    const producer = spawn(fromFile, fromArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    const consumer = spawn(toFile, toArgs, { stdio: ['pipe', 'ignore', 'pipe'] });
    producer.stdout.pipe(consumer.stdin);
    const stderr: string[] = [];
    producer.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    consumer.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    const exit = (child: ChildProcess) =>
      new Promise<number>((resolve, reject) => {
        child.once('error', reject);
        child.once('close', (code) => resolve(code ?? -1));
      });
    const [a, b] = await Promise.all([exit(producer), exit(consumer)]);
    if (a === SSH_FAILED || b === SSH_FAILED) this.connectionFailed(stderr.join(''));
    if (a !== 0 || b !== 0) {
      throw new CommandFailed(
        [`${this.name}:`, 'copy'],
        { code: a || b, stdout: '', stderr: stderr.join('') },
        stderr.join('').trim().split('\n').slice(-3).join(' | '),
      );
    }
  }

  async processes(): Promise<ProcessInfo[]> {
    const { stdout } = await this.script('processes', []);
    const all: ProcessInfo[] = [];
    for (const line of stdout.split('\n')) {
      const space = line.indexOf(' ');
      if (space < 0) continue;
      const info = parseProcStat(Number(line.slice(0, space).replace('/proc/', '')), line.slice(space + 1));
      if (info) all.push(info);
    }
    return all;
  }

  async listeners(port: number, options: { comm?: string; file?: string } = {}): Promise<ProcessInfo[]> {
    const tcp = (await this.readText('/proc/net/tcp')) ?? '';
    const targets = new Set(listenInodes(tcp, port).map((inode) => `socket:[${inode}]`));
    if (options.file !== undefined) targets.add(options.file);
    if (targets.size === 0) return [];
    const holding = new Set<number>();
    for (const line of (await this.script('descriptors', [])).stdout.split('\n')) {
      const [dir, ...target] = line.split(' ');
      const pid = Number(/^\/proc\/(\d+)\/fd$/.exec(dir ?? '')?.[1]);
      if (Number.isInteger(pid) && targets.has(target.join(' '))) holding.add(pid);
    }
    return (await this.processes()).filter(
      (proc) => holding.has(proc.pid) && (options.comm === undefined || proc.comm === options.comm),
    );
  }

  /** Ends the multiplexed connection (the end of a verb); a connection that is gone is fine. */
  async close(): Promise<void> {
    await localHost.run(sshClose(this.target, this.files), { okCodes: ANY_CODE });
  }
}
