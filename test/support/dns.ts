/**
 * A real authoritative DNS server (BIND's named) for tests: the zone webstack writes, served on a
 * free loopback port from a fresh temp dir; stopped by its PID.
 */
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestDns, writeZone } from '../../src/stack/services/dns/index.js';

/** A port free for both UDP and TCP on 127.0.0.1 (named listens on both). */
export async function freeDnsPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const port = udp.address().port;
    const tcp = createServer();
    const ok = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (ok) await new Promise<void>((resolve) => tcp.close(() => resolve()));
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    if (ok) return port;
  }
  throw new Error('no free UDP+TCP port');
}

export interface ServedZone {
  port: number;
  zoneFile: string;
  serial: number;
  stop(): Promise<void>;
}

export async function serveTestZone(options: { domain: string; serverIp: string }): Promise<ServedZone> {
  const dir = await mkdtemp(join(tmpdir(), 'webstack-zone-'));
  const zoneFile = join(dir, `db.${options.domain}`);
  try {
    const { serial } = await writeZone({
      domain: options.domain,
      serverIp: options.serverIp,
      file: zoneFile,
    });
    const port = await freeDnsPort();
    const server = await startTestDns({ zoneFile, domain: options.domain, port });
    return {
      port,
      zoneFile,
      serial,
      async stop() {
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
