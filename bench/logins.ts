/**
 * Logins at a steady rate beside another scenario's load (wrk cannot pace requests): one every
 * 1000/rate ms, each from its own client address so that the per-address limit does not answer.
 */
import { Agent, request } from 'node:http';
import type { Target } from './http.js';

export interface LoginLoad {
  stop(): Promise<{ sent: number; ok: number; failed: number }>;
}

export function startLogins(target: Target, rate: number, email: string, password: string): LoginLoad {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const body = JSON.stringify({ email, password });
  const counts = { sent: 0, ok: 0, failed: 0 };
  const inFlight = new Set<Promise<void>>();
  const fire = () => {
    counts.sent += 1;
    const n = counts.sent;
    const done = new Promise<void>((resolve) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: target.port,
          method: 'POST',
          path: '/api/v1/session',
          agent,
          timeout: 10_000,
          headers: {
            host: target.host,
            'content-type': 'application/json',
            'x-forwarded-for': `198.19.${(n >> 8) & 255}.${n & 255 || 1}`,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) counts.ok += 1;
            else counts.failed += 1;
            resolve();
          });
        },
      );
      req.on('timeout', () => req.destroy());
      req.on('error', () => {
        counts.failed += 1;
        resolve();
      });
      req.end(body);
    });
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  };
  const timer = setInterval(fire, 1000 / rate);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      agent.destroy();
      return { ...counts };
    },
  };
}
