import { validateNginxConfOptions } from './conf-input.js';
import { renderMicroCacheHttp, renderMicroCacheLocation } from './micro-cache.js';
import { MIME_TYPES } from './mime.js';
import {
  type AcmeChallenges,
  HSTS,
  renderAcmeChallengeLocation,
  renderRedirect,
  renderTlsHttpSettings,
  renderTlsRejectServer,
  TLS_LISTEN_PARAMETERS,
  type TlsOptions,
} from './tls-conf.js';
import { renderUploadsCacheHttp, renderUploadsCacheLocation } from './uploads-cache.js';

export interface Endpoint {
  host: string;
  port: number;
  /** nginx's max_fails for this peer; 0: never marked down (a peer that is one of several names for one server). */
  maxFails?: number;
  /** nginx's fail_timeout (seconds): how long a failed peer is left alone. */
  failTimeoutSeconds?: number;
  /** Taken out of the rotation (an app host being deployed): no new request goes to it. */
  down?: boolean;
}

/** Everything the complete nginx.conf depends on. Every path is absolute. */
export interface NginxConfOptions {
  /** The public name, e.g. www.foobar.com. */
  serverName: string;
  /** The apex, e.g. foobar.com: redirected to serverName. */
  apexName: string;
  listen: Endpoint;
  /** One application server, or several once the stack spans hosts. */
  upstream: Endpoint | readonly Endpoint[];
  assetsDir: string;
  /** Where Nginx keeps the uploads it fetched from the app (uploads-cache.ts). */
  uploadsCacheDir: string;
  errorPagesDir: string;
  accessLog: string;
  errorLog: string;
  pidFile: string;
  /** nginx creates its client_body/proxy/... temp directories under this existing directory. */
  tempDir: string;
  clientMaxBodyBytes: number;
  /** Unprivileged user for the workers; set only when nginx is started as root. */
  runAsUser?: string;
  /** Loopback-only stub_status port. */
  statusPort?: number;
  /** Absolute path of ngx_http_brotli_static_module.so, when that module is installed. */
  brotliStaticModule?: string;
  /** Password POSTs per minute per client address (limit_req, burst 20); 0 turns the limit off. Default 30. */
  authRatePerMinute?: number;
  /** The micro-cache's directory (micro-cache-conf.ts); no micro-cache when absent. */
  microCacheDir?: string;
  /** How long the micro-cache keeps an anonymous page without a refresh (1-3600; default 10). */
  microCacheSeconds?: number;
  /** Addresses besides loopback allowed to refresh micro-cached pages (a cluster's app hosts). */
  cacheRefreshFrom?: string[];
  /** HTTPS: nginx terminates TLS on this port and HTTP only redirects to it. */
  tls?: TlsOptions;
  /** ACME's HTTP-01 tokens are served from this directory on plain HTTP (tls-conf.ts). */
  acmeWebroot?: string;
  /** An lb that takes its pair from the issuing lb forwards the HTTP-01 challenges to it instead. */
  acmeIssuer?: Endpoint;
  /**
   * More application servers, each behind a path prefix ("/x/"), proxied exactly like `upstream`.
   * The product has none; the bench's reference Nginx puts its bare Node servers here.
   */
  routes?: readonly Route[];
  /** Connections one client address may hold with a request in progress (limit_conn); 0: no limit. Default 100. */
  connectionsPerAddress?: number;
  /**
   * How long nginx waits between two reads from an application server (default 30). Behind a
   * load balancer a host that lost power answers nothing: a GET sent to it is retried on another
   * host only after this.
   */
  proxyReadTimeoutSeconds?: number;
  /**
   * Whether a 503 sends an idempotent request to the next peer (default true). Across hosts it is
   * off: nginx counts a retried 503 as the peer's failure, so a database outage that every app
   * host answers 503 for would mark them all down, and the next 10 s would be 502s for everyone.
   */
  nextUpstreamOn503?: boolean;
  /**
   * worker_connections of each worker (its file limit is twice that: a proxied request holds two).
   * The stack sizes it for the machine (worker-limits.ts); default 4096.
   */
  workerConnections?: number;
}

export interface Route {
  prefix: string;
  upstream: Endpoint;
}

/** The application's own health endpoints: for the supervisor and the load balancers, never the public. */
export const PRIVATE_PATHS = ['/healthz', '/readyz'];

/** Where nginx serves its own error pages from (an internal location). */
export const ERROR_PAGES_PREFIX = '/_webstack/';
export const STATUS_PATH = '/nginx_status';

/** The JSON access log: one object per line, the request id shared with the application's logs. */
export const ACCESS_LOG_FORMAT =
  '{"time":"$time_iso8601","request_id":"$request_id","remote_addr":"$remote_addr","host":"$host",' +
  '"method":"$request_method","uri":"$request_uri","status":$status,"bytes":$body_bytes_sent,' +
  '"request_time":$request_time,"upstream_time":"$upstream_response_time",' +
  '"upstream_status":"$upstream_status","upstream_addr":"$upstream_addr","user_agent":"$http_user_agent"}';

/**
 * The site's policy: no scripts at all, styles and images from itself only, no framing, forms post
 * home. connect-src 'self': with no script allowed nothing of the page can fetch, but tools that
 * fetch on the page's behalf (Lighthouse's robots.txt check, through the DevTools protocol) are held
 * to connect-src, and default-src 'none' refused them.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
/** Uploaded files are never documents of the site: an uploaded SVG or HTML stays inert. */
export const UPLOADS_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

/** The POSTs that guess or set passwords: limited per client address before they reach the site. */
export const AUTH_PATHS = ['/login', '/register', '/account/password', '/api/v1/session', '/api/v1/users'];

/** Over the limit, a client is told to slow down (429) rather than that the server failed (503). */
function connectionLimitZone(): string[] {
  return [
    '  limit_conn_zone $binary_remote_addr zone=webstack_conn:10m;',
    '  limit_conn_status 429;',
    '  limit_conn_log_level warn;',
  ];
}

function authRateLimitZone(perMinute: number): string[] {
  const paths = AUTH_PATHS.map((p) => p.slice(1)).join('|');
  return [
    '  # Only keyed requests count: an empty key is not limited.',
    '  map $request_method:$uri $webstack_auth_client {',
    `    ~^POST:/(${paths})$ $binary_remote_addr;`,
    '    default "";',
    '  }',
    `  limit_req_zone $webstack_auth_client zone=webstack_auth:1m rate=${perMinute}r/m;`,
  ];
}

/**
 * Headers on every answer, nginx's own error pages included (`always`). nginx's add_header in a
 * location REPLACES the server's list, so every location that adds a header repeats these.
 */
export function securityHeaders(csp = CONTENT_SECURITY_POLICY, hsts = false): string[] {
  return [
    ...(hsts ? [`add_header Strict-Transport-Security "${HSTS}" always;`] : []),
    `add_header Content-Security-Policy "${csp}" always;`,
    'add_header X-Content-Type-Options nosniff always;',
    'add_header X-Frame-Options DENY always;',
    'add_header Referrer-Policy strict-origin-when-cross-origin always;',
    'add_header Cross-Origin-Resource-Policy same-origin always;',
    'add_header Cross-Origin-Opener-Policy same-origin always;',
  ];
}

/**
 * Renders the COMPLETE nginx.conf for an nginx that webstack runs itself
 * (`nginx -p PREFIX -c CONF -g 'daemon off;'`): nothing from /etc/nginx is read.
 */
export function renderNginxConf(options: NginxConfOptions): string {
  validateNginxConfOptions(options);
  const o = options;
  const upstreams = Array.isArray(o.upstream) ? o.upstream : [o.upstream as Endpoint];
  const listen = `${o.listen.host}:${o.listen.port}`;
  const tls = o.tls;
  const tlsListen = tls ? `${o.listen.host}:${tls.port} ${TLS_LISTEN_PARAMETERS}` : '';
  const publicOrigin = tls
    ? `https://${o.serverName}${tls.port === 443 ? '' : `:${tls.port}`}`
    : `http://${o.serverName}${o.listen.port === 80 ? '' : `:${o.listen.port}`}`;
  const authRate = o.authRatePerMinute ?? 30;
  const perAddress = o.connectionsPerAddress ?? 100;
  const workerConnections = o.workerConnections ?? 4096;
  const connectionLimit = perAddress > 0 ? [`    limit_conn webstack_conn ${perAddress};`] : [];
  const secure = (csp?: string) => securityHeaders(csp, tls !== undefined);
  const acme: AcmeChallenges | undefined = o.acmeWebroot
    ? { webroot: o.acmeWebroot, ...(o.acmeIssuer ? { issuer: o.acmeIssuer } : {}) }
    : undefined;
  const routes = o.routes ?? [];
  /** How every proxied location talks to the application servers: keep-alive, headers, timeouts, retries. */
  const upstreamSettings = [
    '      proxy_http_version 1.1;',
    '      proxy_set_header Connection "";',
    '      proxy_set_header Host $host;',
    '      proxy_set_header X-Real-IP $remote_addr;',
    // Nginx is the edge: a client's own X-Forwarded-For is replaced, so it cannot pose as another address.
    '      proxy_set_header X-Forwarded-For $remote_addr;',
    '      proxy_set_header X-Forwarded-Proto $scheme;',
    '      proxy_set_header X-Request-Id $request_id;',
    '      proxy_connect_timeout 2s;',
    '      proxy_send_timeout 30s;',
    `      proxy_read_timeout ${o.proxyReadTimeoutSeconds ?? 30}s;`,
    '      # nginx never retries a non-idempotent request (POST, ...) on another server: kept that way.',
    `      proxy_next_upstream error timeout http_502${o.nextUpstreamOn503 === false ? '' : ' http_503'};`,
    '      proxy_next_upstream_tries 3;',
    // Bodies stream to the application as they arrive: nginx 1.22 times only the gap between two
    // reads, so a body trickled in forever would hold a connection here; the application server
    // answers 408 once the whole request has not arrived within its deadline (requestTimeout),
    // and nginx passes that on and closes the client's connection.
    '      proxy_request_buffering off;',
  ];
  /** The body of a location that proxies to the application servers named UPSTREAM. */
  const appProxy = (upstream: string) => [
    `      proxy_pass http://${upstream};`,
    ...secure().map((line) => `      ${line}`),
    ...(o.microCacheDir ? renderMicroCacheLocation(o.microCacheSeconds) : []),
    ...(authRate > 0
      ? ['      limit_req zone=webstack_auth burst=20 nodelay;', '      limit_req_status 429;']
      : []),
    ...upstreamSettings,
  ];
  const lines = [
    '# Generated by webstack: edit the webstack config, not this file.',
    ...(o.brotliStaticModule ? [`load_module ${o.brotliStaticModule};`] : []),
    ...(o.runAsUser ? [`user ${o.runAsUser};`] : []),
    'worker_processes auto;',
    // A proxied request holds two descriptors (client and upstream), plus files being sent.
    `worker_rlimit_nofile ${2 * workerConnections};`,
    `pid ${o.pidFile};`,
    `error_log ${o.errorLog} warn;`,
    '',
    'events {',
    `  worker_connections ${workerConnections};`,
    '}',
    '',
    'http {',
    indent(MIME_TYPES, 1),
    '  default_type application/octet-stream;',
    '  charset utf-8;',
    '  charset_types text/css text/plain text/xml application/javascript application/json application/atom+xml application/rss+xml image/svg+xml;',
    '  sendfile on;',
    '  tcp_nopush on;',
    '  server_tokens off;',
    // Slow clients must not hold connections open; Node's keepAliveTimeout must exceed the upstream keepalive.
    '  keepalive_timeout 65s;',
    '  client_header_timeout 10s;',
    '  client_body_timeout 10s;',
    '  send_timeout 10s;',
    `  client_max_body_size ${o.clientMaxBodyBytes};`,
    `  client_body_temp_path ${o.tempDir}/client_body;`,
    `  proxy_temp_path ${o.tempDir}/proxy;`,
    `  fastcgi_temp_path ${o.tempDir}/fastcgi;`,
    `  uwsgi_temp_path ${o.tempDir}/uwsgi;`,
    `  scgi_temp_path ${o.tempDir}/scgi;`,
    '',
    ...(perAddress > 0 ? connectionLimitZone() : []),
    ...(authRate > 0 ? authRateLimitZone(authRate) : []),
    '',
    ...(o.microCacheDir
      ? [...renderMicroCacheHttp(o.microCacheDir, o.cacheRefreshFrom, o.microCacheSeconds), '']
      : []),
    ...renderUploadsCacheHttp(o.uploadsCacheDir),
    '',
    ...(tls ? [...renderTlsHttpSettings(tls), ''] : []),
    `  log_format webstack_json escape=json '${ACCESS_LOG_FORMAT}';`,
    `  access_log ${o.accessLog} webstack_json;`,
    '',
    '  gzip on;',
    '  gzip_vary on;',
    '  gzip_proxied any;',
    '  gzip_min_length 1024;',
    '  gzip_types text/css text/plain text/xml application/javascript application/json application/xml application/atom+xml image/svg+xml;',
    '',
    ...upstreamBlock('webstack_app', upstreams),
    ...routes.flatMap((route, i) => upstreamBlock(`webstack_route_${i}`, [route.upstream])),
    ...(tls ? [...renderTlsRejectServer(o.listen.host, tls), ''] : []),
    '  # Any other Host (or none): close the connection without an answer.',
    '  server {',
    `    listen ${listen} default_server;`,
    '    server_name _;',
    '    return 444;',
    '  }',
    '',
    '  server {',
    `    listen ${listen};`,
    ...(tls ? [`    listen ${tlsListen};`] : []),
    `    server_name ${o.apexName};`,
    ...renderRedirect(`${publicOrigin}$request_uri`, acme, '    '),
    ...secure().map((line) => `    ${line}`),
    '  }',
    '',
    ...(tls ? httpToHttps(listen, o.serverName, publicOrigin, secure(), acme) : []),
    '  server {',
    `    listen ${tls ? tlsListen : listen};`,
    `    server_name ${o.serverName};`,
    ...secure().map((line) => `    ${line}`),
    ...connectionLimit,
    '',
    '    # Only the methods the site uses; anything else (TRACE, CONNECT, WebDAV...) never reaches it.',
    '    if ($request_method !~ ^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$) {',
    '      return 405;',
    '    }',
    '',
    '    # Browsers resolve dot segments before sending; a raw or encoded one in the path is a traversal probe.',
    '    if ($request_uri ~* "^[^?]*(/|%2f)(\\.|%2e)(\\.|%2e)(/|%2f|\\?|$)") {',
    '      return 400;',
    '    }',
    '',
    ...(acme && !tls ? [...renderAcmeChallengeLocation(acme, '    '), ''] : []),
    `    error_page 502 503 504 ${ERROR_PAGES_PREFIX}50x.html;`,
    `    error_page 413 ${ERROR_PAGES_PREFIX}413.html;`,
    `    error_page 404 ${ERROR_PAGES_PREFIX}404.html;`,
    '',
    `    location ^~ ${ERROR_PAGES_PREFIX} {`,
    '      internal;',
    `      alias ${o.errorPagesDir}/;`,
    '      add_header Cache-Control "no-store" always;',
    ...secure().map((line) => `      ${line}`),
    '    }',
    '',
    // `expires max` would add a second Cache-Control header; max-age makes Expires redundant anyway.
    '    # Content-hashed names: cache forever. Both alias and location end in "/", so no path escapes the root.',
    '    location ^~ /assets/ {',
    `      alias ${o.assetsDir}/;`,
    '      autoindex off;',
    '      gzip_static on;',
    ...(o.brotliStaticModule ? ['      brotli_static on;'] : []),
    '      add_header Cache-Control "public, max-age=31536000, immutable";',
    ...secure().map((line) => `      ${line}`),
    '      location ~ /\\. {',
    '        return 404;',
    '      }',
    '    }',
    '',
    '    # Uploads are in the database: the app serves them, this Nginx keeps each on disk (uploads-cache.ts).',
    '    # A sandboxing CSP keeps an uploaded SVG or HTML inert; the app sends its own, replaced by these.',
    '    location ^~ /uploads/ {',
    '      proxy_pass http://webstack_app;',
    ...renderUploadsCacheLocation(),
    '      proxy_hide_header Content-Security-Policy;',
    '      proxy_hide_header X-Content-Type-Options;',
    ...secure(UPLOADS_CONTENT_SECURITY_POLICY).map((line) => `      ${line}`),
    ...upstreamSettings,
    '    }',
    '',
    ...routes.flatMap((route, i) => [
      `    location ^~ ${route.prefix} {`,
      ...appProxy(`webstack_route_${i}`),
      '    }',
      '',
    ]),
    '    # Health is for the supervisor and the load balancers: the public name does not answer it.',
    `    location ~ ^(${PRIVATE_PATHS.join('|')})$ {`,
    '      return 404;',
    '    }',
    '',
    '    location / {',
    ...appProxy('webstack_app'),
    '    }',
    '  }',
    ...(o.statusPort === undefined ? [] : statusServer(o.statusPort)),
    '}',
    '',
  ];
  return lines.join('\n');
}

function upstreamBlock(name: string, servers: readonly Endpoint[]): string[] {
  return [
    `  upstream ${name} {`,
    // Peers that can be marked down (app hosts of a cluster) share their state among nginx's
    // workers: a host one worker saw fail is left alone by all of them.
    ...(servers.some((u) => u.failTimeoutSeconds !== undefined) ? [`    zone ${name} 64k;`] : []),
    ...servers.map(
      (u) =>
        `    server ${u.host}:${u.port}${u.maxFails === undefined ? '' : ` max_fails=${u.maxFails}`}${u.failTimeoutSeconds === undefined ? '' : ` fail_timeout=${u.failTimeoutSeconds}s`}${u.down ? ' down' : ''};`,
    ),
    '    keepalive 32;',
    // Shorter than a draining worker's grace (5 s in the site's entry.ts): Nginx closes an idle
    // upstream connection itself before the worker would, so it never sends on one being closed.
    '    keepalive_timeout 4s;',
    '  }',
    '',
  ];
}

/** Under HTTPS, plain HTTP to the site only redirects (with the headers, so the Observatory sees them). */
function httpToHttps(
  listen: string,
  serverName: string,
  origin: string,
  headers: string[],
  acme: AcmeChallenges | undefined,
): string[] {
  return [
    '  server {',
    `    listen ${listen};`,
    `    server_name ${serverName};`,
    ...renderRedirect(`${origin}$request_uri`, acme, '    '),
    ...headers.map((line) => `    ${line}`),
    '  }',
    '',
  ];
}

function statusServer(port: number): string[] {
  return [
    '',
    '  # Loopback only, never on the public name.',
    '  server {',
    `    listen 127.0.0.1:${port};`,
    '    server_name _;',
    '    access_log off;',
    '    allow 127.0.0.1;',
    '    deny all;',
    `    location = ${STATUS_PATH} {`,
    '      stub_status;',
    '    }',
    '    location / {',
    '      return 404;',
    '    }',
    '  }',
  ];
}

function indent(text: string, level: number): string {
  const pad = '  '.repeat(level);
  return text
    .split('\n')
    .map((line) => (line ? pad + line : line))
    .join('\n');
}
