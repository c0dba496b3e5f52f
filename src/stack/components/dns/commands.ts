import type { Argv } from '../../host/host.js';

/** Validates a zone file for DOMAIN: syntax, SOA, NS with an address. */
export function checkZone(domain: string, file: string): Argv {
  return ['named-checkzone', domain, file];
}
