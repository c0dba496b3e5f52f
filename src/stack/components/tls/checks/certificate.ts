import { Resolver } from 'node:dns/promises';
import { BlockList } from 'node:net';
import type { ResolvedConfig } from '../../../core/config/load.js';
import { statePaths } from '../../../core/paths.js';
import { type Check, type CheckResult, ok } from '../../../doctor/check.js';
import { localHost } from '../../../host/index.js';
import { type AcmeAttempt, type CertificateInfo, certificateInfo, readAcmeState } from '../renewal.js';

const DAY_MS = 86_400_000;
/** Closer than this to its end, a certificate that is not being renewed is an alert. */
export const EXPIRY_ALERT_DAYS = 7;

/** Addresses that are not on the public Internet (RFC 6890): loopback, private, CGNAT, benchmarking, ... */
const NOT_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 3],
] as const)
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv4');

export function isPublicAddress(address: string): boolean {
  return !NOT_PUBLIC.check(address, 'ipv4');
}

/**
 * HTTPS: with ACME, the certificate's expiry and the last attempt; without HTTPS, a warning when
 * the site's name resolves to a public address (passwords and cookies would cross in clear).
 */
export const certificateCheck: Check = {
  title: 'HTTPS certificate',
  on: ['nginx'],
  async run(config) {
    if (config.https.acme) return await acmeFindings(config, Date.now());
    if (config.https.enabled) return ok('HTTPS with the configured (or a self-signed) pair');
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    return httpOnlyFinding(config.siteHost, await resolver.resolve4(config.siteHost).catch(() => []));
  },
};

/** Served over HTTP only: fine for local use, a warning once the name resolves to a public address. */
export function httpOnlyFinding(siteHost: string, addresses: readonly string[]): CheckResult {
  const reachable = addresses.filter(isPublicAddress);
  if (reachable.length === 0) return ok(`HTTP only; ${siteHost} has no public address (local use)`);
  return {
    severity: 'warning',
    detail: `${siteHost} resolves to the public address ${reachable.join(', ')} but is served over HTTP only`,
    fix: 'set "https": { "acme": {} } in the webstack config (Let\'s Encrypt) and run `webstack up` again',
  };
}

async function acmeFindings(config: ResolvedConfig, now: number): Promise<CheckResult> {
  const paths = statePaths(config.stateDir);
  const cert = certificateInfo(await localHost.readText(paths.tls.acme.certificate));
  return acmeFinding(cert, await readAcmeState(localHost, paths), now);
}

/** With ACME: an alert when the certificate is EXPIRY_ALERT_DAYS from its end, a warning when an attempt failed. */
export function acmeFinding(
  cert: CertificateInfo | null,
  last: AcmeAttempt | null,
  now: number,
): CheckResult {
  const failure = last && !last.ok ? `last attempt ${last.at} failed: ${last.code}: ${last.message}` : null;
  const fix = last?.fix ?? 'run `webstack tls renew` (`webstack tls status` shows the last attempt)';
  if (cert === null)
    return {
      severity: 'warning',
      detail: `no certificate yet; serving HTTP${failure ? `; ${failure}` : ''}`,
      fix: failure ? fix : 'run `webstack up`: it gets the certificate',
    };
  const days = (Date.parse(cert.notAfter) - now) / DAY_MS;
  const expiry = `${cert.names.join(', ')} expires ${cert.notAfter} (in ${Math.floor(days)} days)`;
  if (days <= EXPIRY_ALERT_DAYS)
    return { severity: 'critical', detail: `${expiry}${failure ? `; ${failure}` : ''}`, fix };
  if (failure) return { severity: 'warning', detail: `${expiry}; ${failure}`, fix };
  return ok(`${expiry}; issuer ${cert.issuer}`);
}
