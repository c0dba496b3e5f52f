import { createPrivateKey, X509Certificate } from 'node:crypto';
import { isIP, isIPv6 } from 'node:net';
import { join } from 'node:path';
import { WebstackError } from '../../core/errors.js';
import type { Argv, Host, Owner } from '../../host/host.js';

/**
 * The cluster's own certificate authority: it signs the certificates the hosts present to each
 * other (MariaDB's, to the app hosts), so a client trusts exactly this CA and nothing else.
 */
export interface CaFiles {
  key: string;
  certificate: string;
  /** The CA certificate's PEM text: what a client is given to trust (SiteSettings.databaseCa). */
  pem: string;
}

export interface IssueOptions {
  /** The host (or service) the certificate is for; names its files NAME.crt and NAME.key. */
  name: string;
  /** IP addresses clients connect to: subjectAltName IP entries. */
  addresses: readonly string[];
  dns?: readonly string[];
  dir: string;
  /** Default 365. */
  days?: number;
  /** Who owns the key (0600), e.g. the mysql account that reads it; default: this process's user. */
  owner?: Owner;
}

export interface IssuedCertificate {
  certificate: string;
  key: string;
  /** A copy of the CA certificate beside it (0644; the CA's own directory is 0700), e.g. for ssl_ca. */
  ca: string;
  /** The certificate's PEM text. */
  pem: string;
  /** False when the existing certificate still covered every name for more than 30 days. */
  issued: boolean;
}

const CA_SUBJECT = '/O=webstack/CN=webstack cluster CA';
const CA_DAYS = 3650;
/** A certificate closer than this to its end is issued again. */
export const RENEW_BEFORE_DAYS = 30;

/** argv printing a new P-256 private key (PEM) on stdout: the caller writes it 0600. */
export function privateKeyArgv(): Argv {
  return ['openssl', 'genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
}

/** argv printing the self-signed CA certificate for KEY on stdout. */
export function caCertificateArgv(key: string, days = CA_DAYS): Argv {
  return [
    'openssl',
    'req',
    '-x509',
    '-new',
    '-key',
    key,
    '-sha256',
    '-days',
    String(days),
    '-subj',
    CA_SUBJECT,
    '-addext',
    'basicConstraints=critical,CA:TRUE,pathlen:0',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ];
}

/** subjectAltName entries: every address as IP:, every name as DNS:. Validates both. */
export function subjectAltNames(
  name: string,
  addresses: readonly string[],
  dns: readonly string[],
): string[] {
  for (const address of addresses)
    if (isIP(address) === 0) throw new WebstackError('TLS_ADDRESS_INVALID', name, JSON.stringify(address));
  for (const entry of dns)
    if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(entry)) throw new WebstackError('TLS_NAME_INVALID', entry);
  return [...addresses.map((a) => `IP:${canonicalAddress(a)}`), ...dns.map((d) => `DNS:${d}`)];
}

/** argv printing a server certificate for KEY, signed by the CA, on stdout (OpenSSL 3: req -x509 -CA). */
export function serverCertificateArgv(
  ca: Pick<CaFiles, 'key' | 'certificate'>,
  o: { name: string; key: string; altNames: readonly string[]; days?: number },
): Argv {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(o.name)) throw new WebstackError('TLS_NAME_INVALID', o.name);
  if (o.altNames.length === 0) throw new WebstackError('TLS_NO_NAMES');
  return [
    'openssl',
    'req',
    '-x509',
    '-new',
    '-key',
    o.key,
    '-CA',
    ca.certificate,
    '-CAkey',
    ca.key,
    '-sha256',
    '-days',
    String(o.days ?? 365),
    '-subj',
    `/O=webstack/CN=${o.name}`,
    '-addext',
    `subjectAltName=${o.altNames.join(',')}`,
    '-addext',
    'basicConstraints=critical,CA:FALSE',
    '-addext',
    'keyUsage=critical,digitalSignature',
    '-addext',
    // Both: a Galera node is the server of one connection and the client of the next (replication, SST).
    'extendedKeyUsage=serverAuth,clientAuth',
  ];
}

const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';

/** An address as certificates are compared: IPv6 lower case and compressed. */
function canonicalAddress(address: string): string {
  return isIPv6(address) ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address;
}

/** Makes the CA once: its key (0600) and certificate in DIR (0700); later calls return the same CA. */
export async function ensureCa(host: Host, dir: string): Promise<CaFiles> {
  const key = join(dir, 'ca.key');
  const certificate = join(dir, 'ca.crt');
  const [hasKey, hasCertificate] = [await host.exists(key), await host.exists(certificate)];
  if (hasKey !== hasCertificate)
    throw new WebstackError(
      'TLS_CA_INCOMPLETE',
      dir,
      hasKey ? 'ca.key' : 'ca.crt',
      hasKey ? 'ca.crt' : 'ca.key',
    );
  if (!hasKey) {
    await host.mkdir(dir, { mode: 0o700 });
    const { stdout: keyPem } = await host.run(privateKeyArgv());
    await host.writeAtomic(key, keyPem, { mode: 0o600 });
    const { stdout: pem } = await host.run(caCertificateArgv(key));
    await host.writeAtomic(certificate, pem, { mode: 0o644 });
  }
  const pem = await host.readText(certificate);
  if (pem === null) throw new WebstackError('TLS_CA_INCOMPLETE', dir, 'ca.key', 'ca.crt');
  return { key, certificate, pem };
}

/** Why an existing certificate must be issued again, or null when it still serves. */
export function reissueReason(
  pem: string,
  keyPem: string,
  caPem: string,
  altNames: readonly string[],
  now = new Date(),
): string | null {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    return 'it is not a certificate';
  }
  if (!cert.verify(new X509Certificate(caPem).publicKey)) return 'another CA signed it';
  try {
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) return 'its key is another one';
  } catch {
    return 'its key is not a private key';
  }
  const has = new Set(
    (cert.subjectAltName ?? '').split(', ').map((entry) => {
      const [kind, value = ''] = entry.split(/:(.*)/s);
      return kind === 'IP Address' ? `IP:${canonicalAddress(value)}` : `${kind}:${value}`;
    }),
  );
  // Issued before certificates served as clients too (extendedKeyUsage clientAuth).
  if (!(cert.keyUsage ?? []).includes(CLIENT_AUTH_OID)) return 'it cannot serve as a client certificate';
  const missing = altNames.filter((n) => !has.has(n));
  if (missing.length > 0) return `it does not cover ${missing.join(', ')}`;
  const left = (new Date(cert.validTo).getTime() - now.getTime()) / 86_400_000;
  if (left < RENEW_BEFORE_DAYS) return `it expires in ${Math.max(0, Math.floor(left))} days`;
  return null;
}

/**
 * A server certificate signed by the CA for NAME's addresses (and DNS names), its key 0600.
 * Kept when the existing one is signed by this CA, covers every name and has 30 days or more left.
 */
export async function issueCertificate(host: Host, ca: CaFiles, o: IssueOptions): Promise<IssuedCertificate> {
  const altNames = subjectAltNames(o.name, o.addresses, o.dns ?? []);
  const certificate = join(o.dir, `${o.name}.crt`);
  const key = join(o.dir, `${o.name}.key`);
  const caCopy = join(o.dir, 'ca.crt');
  if ((await host.readText(caCopy)) !== ca.pem) {
    await host.mkdir(o.dir, { mode: 0o755 });
    await host.writeAtomic(caCopy, ca.pem, { mode: 0o644 });
  }
  const existing = await host.readText(certificate);
  const existingKey = await host.readText(key);
  if (
    existing !== null &&
    existingKey !== null &&
    reissueReason(existing, existingKey, ca.pem, altNames) === null
  )
    return { certificate, key, ca: caCopy, pem: existing, issued: false };
  const { stdout: keyPem } = await host.run(privateKeyArgv());
  await host.writeAtomic(key, keyPem, { mode: 0o600, ...(o.owner ? { owner: o.owner } : {}) });
  const { stdout: pem } = await host.run(
    serverCertificateArgv(ca, { name: o.name, key, altNames, ...(o.days ? { days: o.days } : {}) }),
  );
  await host.writeAtomic(certificate, pem, { mode: 0o644 });
  return { certificate, key, ca: caCopy, pem, issued: true };
}
