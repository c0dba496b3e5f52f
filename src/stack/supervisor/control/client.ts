import { request } from 'node:http';
import { WebstackError } from '../../core/errors.js';

/**
 * The CLI talks to the running webstack supervisor over HTTP on a unix socket in the state
 * directory (mode 0600: only its owner can steer the stack).
 */
export async function callSupervisor<T>(
  socketPath: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  timeoutMs = 300_000,
): Promise<T> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return await new Promise<T>((resolve, reject) => {
    const req = request(
      {
        socketPath,
        method,
        path,
        headers: payload ? { 'content-type': 'application/json' } : {},
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let data: unknown;
          try {
            data = JSON.parse(text);
          } catch {
            reject(new WebstackError('SUPERVISOR_PROTOCOL', text.slice(0, 200)));
            return;
          }
          if ((res.statusCode ?? 500) >= 400) {
            reject(WebstackError.received(data ?? {}));
            return;
          }
          resolve(data as T);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') {
        reject(new WebstackError('STACK_DOWN'));
      } else {
        reject(new WebstackError('SUPERVISOR_UNREACHABLE', error.message, { cause: error }));
      }
    });
    req.end(payload);
  });
}

/** True when a supervisor answers on the socket. */
export async function supervisorRunning(socketPath: string): Promise<boolean> {
  try {
    await callSupervisor(socketPath, 'GET', '/status', undefined, 5_000);
    return true;
  } catch {
    return false;
  }
}
