import type { CertificateStatus } from '../components/tls/renewal.js';
import type { ResolvedConfig } from '../core/config/load.js';
import { WebstackError } from '../core/errors.js';
import { statePaths } from '../core/paths.js';
import { callSupervisor } from '../supervisor/control/client.js';

const DAY_MS = 86_400_000;

/** The certificate in use and the last attempt, as `status` and `tls status` print them. */
export function renderCertificate(tls: CertificateStatus, now = Date.now()): string[] {
  const cert = tls.certificate;
  const lines = cert
    ? [
        `certificate ${cert.names.join(', ')}: issuer ${cert.issuer}, serial ${cert.serial}`,
        `  expires ${cert.notAfter} (in ${Math.floor((Date.parse(cert.notAfter) - now) / DAY_MS)} days; renewed ${tls.renewBeforeDays} days before)`,
      ]
    : ['certificate: none yet (serving HTTP until the ACME server issues one)'];
  lines.push(
    tls.takenFrom
      ? `  taken from ${tls.takenFrom}, which gets it from ${tls.directory}`
      : `  from ${tls.directory}`,
  );
  const last = tls.lastAttempt;
  if (last === null) lines.push('  last attempt: none');
  else if (last.ok) lines.push(`  last attempt: ${last.at} ok`);
  else {
    lines.push(`  last attempt: ${last.at} FAILED ${last.code}: ${last.message}`);
    if (last.fix) lines.push(`  fix: ${last.fix}`);
    if (last.problem) lines.push(`  problem document: ${JSON.stringify(last.problem)}`);
  }
  return lines;
}

function control(config: ResolvedConfig): string {
  if (!config.https.acme) throw new WebstackError('ACME_NOT_CONFIGURED');
  return statePaths(config.stateDir).control;
}

export async function tlsStatusVerb(config: ResolvedConfig, options: { json?: boolean }): Promise<number> {
  const tls = await callSupervisor<CertificateStatus>(control(config), 'GET', '/tls');
  console.log(options.json ? JSON.stringify(tls, null, 2) : renderCertificate(tls).join('\n'));
  return tls.certificate !== null && tls.lastAttempt?.ok !== false ? 0 : 1;
}

/** Renews now when due (or always with --force); a failure is the ACME server's coded line. */
export async function tlsRenewVerb(config: ResolvedConfig, options: { force?: boolean }): Promise<number> {
  const tls = await callSupervisor<CertificateStatus>(
    control(config),
    'POST',
    '/tls/renew',
    { force: options.force === true },
    300_000,
  );
  console.log(renderCertificate(tls).join('\n'));
  return 0;
}
