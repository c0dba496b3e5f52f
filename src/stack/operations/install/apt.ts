import type { Argv } from '../../host/host.js';

/** Debian packages the running stack needs. */
export const STACK_PACKAGES = [
  'nginx',
  'mariadb-server',
  'mariadb-client',
  'mariadb-backup',
  'bind9-utils',
  'logrotate',
  // webstack's own table guards the application and database ports (components/firewall).
  'nftables',
] as const;
/**
 * What the test suite and the benchmark need on top: a real DNS server, a browser, a load
 * generator, and for `webstack lab` network namespaces (iproute2, util-linux), sysctl and kill
 * (procps), an sshd on each lab host with the client to reach it, and an ACME server (pebble).
 */
export const TEST_PACKAGES = [
  'bind9',
  'bind9-dnsutils',
  'chromium',
  'wrk',
  'systemd',
  'iproute2',
  'util-linux',
  'procps',
  'openssh-server',
  'openssh-client',
  // In front of a Galera cluster on each app host (the lab's hosts share this machine's packages).
  'haproxy',
  // Holds the floating address on one of two lbs (checking its Nginx with curl).
  'keepalived',
  'curl',
  // Let's Encrypt's test ACME server: the certificate tests get real certificates from it.
  'pebble',
] as const;
/** The black-box scanners `npm run scan` runs against a stack on loopback. */
export const SCAN_PACKAGES = ['sqlmap', 'wapiti', 'testssl.sh'] as const;

/** `dpkg-query` prints one "name status" line per package it knows. */
export function queryInstalled(packages: readonly string[]): Argv {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax, not a template
  return ['dpkg-query', '--show', '--showformat=${Package} ${db:Status-Status}\\n', ...packages];
}

export function update(): Argv {
  return ['apt-get', 'update', '-qq'];
}

export function install(packages: readonly string[]): Argv {
  return ['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...packages];
}

/** The command a non-root operator is told to run. */
export function installHint(packages: readonly string[]): string {
  return `sudo apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

/** Parses queryInstalled output into the set of installed package names. */
export function parseInstalled(stdout: string): Set<string> {
  const installed = new Set<string>();
  for (const line of stdout.split('\n')) {
    const [name, status] = line.trim().split(' ');
    if (name && status === 'installed') installed.add(name);
  }
  return installed;
}
