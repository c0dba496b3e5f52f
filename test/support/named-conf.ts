export interface NamedConfOptions {
  /** Directory for named's own files (pid, session key, managed keys). */
  dir: string;
  port: number;
  domain: string;
  zoneFile: string;
}

const PLAIN_PATH = /^\/[A-Za-z0-9._/+@-]*$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * A named.conf for an authoritative-only server on loopback serving one zone: no recursion, no
 * transfers, no rndc control channel (so it never touches port 953 or /etc/bind/rndc.key).
 */
export function renderNamedConf(options: NamedConfOptions): string {
  const { dir, port, domain, zoneFile } = options;
  for (const path of [dir, zoneFile]) {
    if (!PLAIN_PATH.test(path))
      throw new Error(`named.conf path must be absolute and plain: ${JSON.stringify(path)}`);
  }
  if (!DOMAIN.test(domain))
    throw new Error(`named.conf domain must be a domain name: ${JSON.stringify(domain)}`);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`named.conf port out of range: ${port}`);
  return [
    'options {',
    `  directory "${dir}";`,
    `  pid-file "${dir}/named.pid";`,
    `  session-keyfile "${dir}/session.key";`,
    `  managed-keys-directory "${dir}";`,
    `  listen-on port ${port} { 127.0.0.1; };`,
    '  listen-on-v6 { none; };',
    '  recursion no;',
    '  allow-transfer { none; };',
    '  dnssec-validation no;',
    '};',
    'controls { };',
    `zone "${domain}" {`,
    '  type primary;',
    `  file "${zoneFile}";`,
    '};',
    '',
  ].join('\n');
}
