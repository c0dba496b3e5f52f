import type { Argv } from '../../src/stack/host/local.js';

/**
 * Command lines only the tests run: the throwaway authoritative server (test/support/dns-server.ts),
 * its config check and the client that asks it. The product runs named-checkzone only.
 */

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
