import { WebstackError } from '../../core/errors.js';
import { readTextIfExists, removePath, run, writeFileAtomic } from '../../host/local.js';
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
export async function writeZone(options: WriteZoneOptions): Promise<WriteZoneResult> {
  const { domain, serverIp, file } = options;
  const current = await readTextIfExists(file);
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
  await writeFileAtomic(staged, renderZone({ domain, serverIp, serial }));
  try {
    await checkZone(domain, staged);
    await writeFileAtomic(file, renderZone({ domain, serverIp, serial }));
  } finally {
    await removePath(staged);
  }
  return { changed: true, serial, file };
}

/** Runs named-checkzone; throws DNS_ZONE_INVALID with its complaint. */
export async function checkZone(domain: string, file: string): Promise<void> {
  const result = await run(dns.checkZone(domain, file), { okCodes: [0, 1] });
  if (result.code !== 0) {
    const reason = (result.stdout + result.stderr).trim().split('\n')[0] ?? 'no output';
    throw new WebstackError('DNS_ZONE_INVALID', domain, reason);
  }
}
