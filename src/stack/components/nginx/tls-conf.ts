/** What nginx needs to terminate TLS. Paths are absolute and plain (checked with the rest of the config). */
export interface TlsOptions {
  port: number;
  certificate: string;
  key: string;
  /**
   * Staple the OCSP responder's answer to the handshake: only when the certificate names a
   * responder (its Authority Information Access), or nginx warns on every start and staples nothing.
   */
  ocspStapling?: boolean;
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
    ...(tls.ocspStapling ? ['  ssl_stapling on;', '  ssl_stapling_verify on;'] : []),
  ];
}

/**
 * The parameters of a TLS listen directive. nginx 1.22 (Debian 12) turns HTTP/2 on per listen
 * socket (`http2 on;` is 1.25.1 and later), and for every server on that address at once.
 */
export const TLS_LISTEN_PARAMETERS = 'ssl http2';

/** Any other name on the TLS port: no certificate is shown and the handshake fails. */
export function renderTlsRejectServer(host: string, tls: TlsOptions): string[] {
  return [
    '  # Unknown names over TLS: refuse the handshake, show no certificate.',
    '  server {',
    `    listen ${host}:${tls.port} ${TLS_LISTEN_PARAMETERS} default_server;`,
    '    server_name _;',
    '    ssl_reject_handshake on;',
    '  }',
  ];
}

/** Where HTTP-01 tokens are served (RFC 8555 8.3): on plain HTTP, before any redirect to HTTPS. */
export const ACME_CHALLENGE_PREFIX = '/.well-known/acme-challenge/';

/** The token files in WEBROOT, as the ACME server fetches them; nothing else under the prefix. */
/**
 * Where HTTP-01 tokens are answered: from this lb's webroot, or, on an lb that takes its pair from
 * the issuing lb, by that lb (the ACME server may reach either: the floating address moves).
 */
export interface AcmeChallenges {
  webroot: string;
  issuer?: { host: string; port: number };
}

export function renderAcmeChallengeLocation(acme: AcmeChallenges, pad: string): string[] {
  const answer = acme.issuer
    ? [
        `${pad}  # The issuing lb holds the tokens: it never forwards them, so a request cannot loop.`,
        `${pad}  proxy_pass http://${acme.issuer.host}:${acme.issuer.port};`,
        `${pad}  proxy_set_header Host $host;`,
        `${pad}  proxy_connect_timeout 2s;`,
        `${pad}  proxy_read_timeout 5s;`,
      ]
    : [`${pad}  alias ${acme.webroot}/;`, `${pad}  default_type text/plain;`, `${pad}  autoindex off;`];
  return [`${pad}location ^~ ${ACME_CHALLENGE_PREFIX} {`, ...answer, `${pad}}`];
}

/**
 * A server that only redirects: `return` at server level would run before any location, so with
 * ACME the redirect moves into `location /` and the challenge location answers first.
 */
export function renderRedirect(target: string, acme: AcmeChallenges | undefined, pad: string): string[] {
  if (acme === undefined) return [`${pad}return 301 ${target};`];
  return [
    ...renderAcmeChallengeLocation(acme, pad),
    `${pad}location / {`,
    `${pad}  return 301 ${target};`,
    `${pad}}`,
  ];
}
