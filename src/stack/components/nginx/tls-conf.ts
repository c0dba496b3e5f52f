/** What nginx needs to terminate TLS. Paths are absolute and plain (checked with the rest of the config). */
export interface TlsOptions {
  port: number;
  certificate: string;
  key: string;
}

/** HSTS for six months and more (the Observatory's bar is 15552000 s); no preload: that is the owner's call. */
export const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * Mozilla's "intermediate" profile: TLS 1.2 and 1.3, AEAD ciphers with forward secrecy (the DHE
 * suites are left out: they need a dhparam file and every current client has ECDHE).
 */
export const INTERMEDIATE_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** http{}-level TLS settings: protocols, ciphers, session cache. */
export function renderTlsHttpSettings(tls: TlsOptions): string[] {
  return [
    `  ssl_certificate ${tls.certificate};`,
    `  ssl_certificate_key ${tls.key};`,
    '  ssl_protocols TLSv1.2 TLSv1.3;',
    `  ssl_ciphers ${INTERMEDIATE_CIPHERS};`,
    '  ssl_prefer_server_ciphers off;',
    '  ssl_session_timeout 1d;',
    '  ssl_session_cache shared:webstack_tls:10m;',
    '  ssl_session_tickets off;',
  ];
}

/** Any other name on the TLS port: no certificate is shown and the handshake fails. */
export function renderTlsRejectServer(host: string, tls: TlsOptions): string[] {
  return [
    '  # Unknown names over TLS: refuse the handshake, show no certificate.',
    '  server {',
    `    listen ${host}:${tls.port} ssl default_server;`,
    '    server_name _;',
    '    ssl_reject_handshake on;',
    '  }',
  ];
}
