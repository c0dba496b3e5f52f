import { request } from 'node:http';
import type { Host } from '../../host/host.js';
import * as nginx from './commands.js';
import { STATUS_PATH } from './conf.js';
import { readPid } from './process.js';

export interface NginxHealth {
  healthy: boolean;
  pid: number | null;
  /** From stub_status, when a status port is configured and answered. */
  connections?: { active: number; reading: number; writing: number; waiting: number; requests: number };
  detail: string;
}

/** The master is alive and, when a status port is given, stub_status answers on loopback. */
export async function nginxHealth(
  host: Host,
  options: { pidFile: string; statusPort?: number },
): Promise<NginxHealth> {
  const pid = await readPid(host, options.pidFile);
  if (pid === null || !(await host.isAlive(pid))) return { healthy: false, pid, detail: 'not running' };
  if (options.statusPort === undefined) return { healthy: true, pid, detail: 'master alive' };
  try {
    const body = await getText(`http://127.0.0.1:${options.statusPort}${STATUS_PATH}`);
    const connections = parseStubStatus(body);
    if (!connections) return { healthy: false, pid, detail: 'stub_status answered something unexpected' };
    return { healthy: true, pid, connections, detail: `${connections.active} active connections` };
  } catch (error) {
    return { healthy: false, pid, detail: `stub_status did not answer: ${(error as Error).message}` };
  }
}

/** Parses nginx's stub_status text. */
export function parseStubStatus(text: string): NginxHealth['connections'] | null {
  const active = /Active connections:\s*(\d+)/.exec(text);
  const totals = /\n\s*(\d+)\s+(\d+)\s+(\d+)\s*\n/.exec(text);
  const rw = /Reading:\s*(\d+)\s+Writing:\s*(\d+)\s+Waiting:\s*(\d+)/.exec(text);
  if (!active || !totals || !rw) return null;
  return {
    active: Number(active[1]),
    requests: Number(totals[3]),
    reading: Number(rw[1]),
    writing: Number(rw[2]),
    waiting: Number(rw[3]),
  };
}

/** Which optional modules this machine's nginx can use. */
export async function detectNginxModules(
  host: Host,
  brotliPath = '/usr/lib/nginx/modules/ngx_http_brotli_static_module.so',
): Promise<{ gzipStatic: boolean; brotliStaticModule?: string }> {
  const { stderr } = await host.run(nginx.version());
  const gzipStatic = stderr.includes('--with-http_gzip_static_module');
  return (await host.exists(brotliPath)) ? { gzipStatic, brotliStaticModule: brotliPath } : { gzipStatic };
}

function getText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}`)),
      );
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}
