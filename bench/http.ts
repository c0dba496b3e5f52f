/** Single requests through Nginx: preflight checks, logging in, fetching a page to copy. */
import { request } from 'node:http';

export interface Target {
  port: number;
  host: string;
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function send(
  target: Target,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: target.port,
        method,
        path,
        headers: { host: target.host, ...options.headers },
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface LoggedIn {
  cookie: string;
  csrfToken: string;
}

/** Logs in through the JSON API: the session cookie and the CSRF token for write requests. */
export async function logIn(target: Target, email: string, password: string): Promise<LoggedIn> {
  const reply = await send(target, 'POST', '/api/v1/session', {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (reply.status !== 200) throw new Error(`logging in ${email} answered ${reply.status}: ${reply.body}`);
  const setCookie = [reply.headers['set-cookie'] ?? []].flat();
  const sid = setCookie.map((c) => c.split(';')[0] ?? '').find((c) => c.startsWith('sid='));
  const { csrfToken } = JSON.parse(reply.body) as { csrfToken?: string };
  if (!sid || !csrfToken) throw new Error(`logging in ${email} gave no session cookie or CSRF token`);
  return { cookie: sid, csrfToken };
}
