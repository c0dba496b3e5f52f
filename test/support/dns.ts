import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeZone } from '../../src/stack/components/dns/index.js';
import { localHost } from '../../src/stack/host/index.js';
import { startTestDns } from './dns-server.js';
import { freeDnsPort } from './ports.js';

export { freeDnsPort };

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
    const { serial } = await writeZone(localHost, {
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
