import type { Argv } from '../../host/host.js';

/** Validates a zone file for DOMAIN: syntax, SOA, NS with an address. */
export function checkZone(domain: string, file: string): Argv {
  return ['named-checkzone', domain, file];
}

/** Validates a named.conf. */
export function checkConf(conf: string): Argv {
  return ['named-checkconf', conf];
}

/** Runs named in the foreground (-g logs to stderr), on PORT, with its own config. */
export function named(conf: string, port: number): Argv {
  return ['named', '-g', '-c', conf, '-p', String(port)];
}

/** Asks SERVER:PORT for NAME's A records, one address a line. */
export function dig(server: string, port: number, name: string): Argv {
  return ['dig', `@${server}`, '-p', String(port), '+short', '+norecurse', name, 'A'];
}
