import { X509Certificate } from 'node:crypto';
import { dirname } from 'node:path';
import { WebstackError } from '../../core/errors.js';
import type { Argv, Host } from '../../host/host.js';

export interface SelfSignedOptions {
  certificate: string;
  key: string;
  /** DNS names the certificate covers; the first is its subject. */
  names: readonly string[];
  days?: number;
}

/** argv for a self-signed P-256 certificate for local use (no passphrase: nginx starts unattended). */
export function selfSignedCertificateArgv(o: SelfSignedOptions): Argv {
  const [first] = o.names;
  if (first === undefined) throw new WebstackError('TLS_NO_NAMES');
  for (const name of o.names) {
    if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(name)) throw new WebstackError('TLS_NAME_INVALID', name);
  }
  return [
    'openssl',
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-sha256',
    '-days',
    String(o.days ?? 365),
    '-subj',
    `/CN=${first}`,
    '-addext',
    `subjectAltName=${o.names.map((n) => `DNS:${n}`).join(',')}`,
    '-keyout',
    o.key,
    '-out',
    o.certificate,
  ];
}

/** Makes a self-signed certificate unless both files exist; the key is readable by its owner only. */
export async function ensureSelfSignedCertificate(host: Host, o: SelfSignedOptions): Promise<boolean> {
  if ((await host.exists(o.certificate)) && (await host.exists(o.key))) return false;
  await host.mkdir(dirname(o.key), { mode: 0o700 });
  await host.mkdir(dirname(o.certificate), { mode: 0o755 });
  await host.run(selfSignedCertificateArgv(o));
  await host.chmod(o.key, 0o600);
  return true;
}

/** Whether the (first) certificate of a PEM names an OCSP responder in its Authority Information Access. */
export function namesOcspResponder(pem: string): boolean {
  try {
    return /^OCSP - URI:/m.test(new X509Certificate(pem).infoAccess ?? '');
  } catch {
    return false;
  }
}
