import { WebstackError } from '../../core/errors.js';
import { type Host, localHost } from '../../host/index.js';
import * as dns from './commands.js';
import { nextSerial, parseSerial, renderZone } from './zone-file.js';

export interface WriteZoneOptions {
  domain: string;
  serverIp: string;
  /** Where the zone lives (statePaths().dns.zone(domain)). */
  file: string;
  /** For the serial; defaults to now. */
  today?: Date;
}

export interface WriteZoneResult {
  changed: boolean;
  serial: number;
  file: string;
}

/**
 * Writes the zone only when its records change, bumping the serial then (secondaries and caches
 * key on it), and only after `named-checkzone` accepts the new text.
 */
export async function writeZone(host: Host, options: WriteZoneOptions): Promise<WriteZoneResult> {
  const { domain, serverIp, file } = options;
  const current = await host.readText(file);
  const currentSerial = current === null ? null : parseSerial(current);
  if (
    current !== null &&
    currentSerial !== null &&
    renderZone({ domain, serverIp, serial: currentSerial }) === current
  ) {
    return { changed: false, serial: currentSerial, file };
  }
  const serial = nextSerial(currentSerial, options.today ?? new Date());
  const staged = `${file}.staged`;
  await host.writeAtomic(staged, renderZone({ domain, serverIp, serial }), { mode: 0o644 });
  try {
    await checkZone(domain, staged, host);
    await host.writeAtomic(file, renderZone({ domain, serverIp, serial }), { mode: 0o644 });
  } finally {
    await host.remove(staged);
  }
  return { changed: true, serial, file };
}

/** Runs named-checkzone; throws DNS_ZONE_INVALID with its complaint. (Host last: doctor calls it so.) */
export async function checkZone(domain: string, file: string, host: Host = localHost): Promise<void> {
  const result = await host.run(dns.checkZone(domain, file), { okCodes: [0, 1] });
  if (result.code !== 0) {
    const reason = (result.stdout + result.stderr).trim().split('\n')[0] ?? 'no output';
    throw new WebstackError('DNS_ZONE_INVALID', domain, reason);
  }
}
