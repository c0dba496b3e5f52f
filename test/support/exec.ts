import { execFile } from 'node:child_process';
import { createConnection } from 'node:net';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs FILE with ARGS (an argv, never a shell line), feeding INPUT; never throws. */
export function exec(file: string, args: readonly string[], input = '', timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    // A program that exits without reading its stdin (ssh-keygen) must not fail the test with EPIPE.
    child.stdin?.on('error', () => {});
    child.stdin?.end(input);
  });
}

/** How a TCP connect ends: 'connected', 'timeout', or the error (ECONNREFUSED: a RST came back). */
export function tcpOutcome(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (outcome: string) => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(2000, () => done('timeout'));
    socket.once('connect', () => done('connected'));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? 'error'));
  });
}
