/** Running a scanner under a hard timeout, and logging the editor in to hand scanners its cookie. */
import { spawn } from 'node:child_process';
import { request } from 'node:https';
import type { Argv } from './scanners.js';

export interface Bounded {
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  seconds: number;
}

export interface ScanResult {
  name: string;
  ok: boolean;
  seconds: number;
  summary: string[];
}

const MAX_KEPT = 8 * 1024 * 1024;

/** Spawns argv in its own process group; past the deadline the whole group gets SIGTERM, then SIGKILL. */
export function runBounded(argv: Argv, timeoutMs: number): Promise<Bounded> {
  const started = Date.now();
  const [command, ...args] = argv;
  return new Promise((resolve) => {
    const child = spawn(command ?? 'false', args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (stdout.length < MAX_KEPT) stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < MAX_KEPT) stderr += chunk.toString('utf8');
    });
    const signal = (name: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, name);
      } catch {
        // the group is already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      signal('SIGTERM');
      setTimeout(() => signal('SIGKILL'), 5000).unref();
    }, timeoutMs);
    const finish = (code: number) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut, seconds: (Date.now() - started) / 1000 });
    };
    child.on('error', (error) => {
      stderr += String(error);
      finish(127);
    });
    child.on('close', (code, sig) => finish(code ?? (sig ? 128 : 0)));
  });
}

/** POST /api/v1/session over HTTPS (trusting the stack's own certificate); returns the Cookie header value. */
export function login(options: {
  port: number;
  ca: string;
  email: string;
  password: string;
}): Promise<string> {
  const body = JSON.stringify({ email: options.email, password: options.password });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        servername: 'www.foobar.com',
        port: options.port,
        path: '/api/v1/session',
        method: 'POST',
        ca: options.ca,
        headers: { host: 'www.foobar.com', 'content-type': 'application/json', connection: 'close' },
        agent: false,
      },
      (res) => {
        res.resume();
        const cookies = (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0] ?? '').filter(Boolean);
        if (res.statusCode !== 200 || cookies.length === 0)
          reject(new Error(`editor login answered ${res.statusCode} with no session cookie`));
        else resolve(cookies.join('; '));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('login timed out')));
    req.on('error', reject);
    req.end(body);
  });
}
