/**
 * Nginx's micro-cache: anonymous GET/HEAD pages kept for some seconds (`http.microCacheSeconds`), and refreshed at once
 * when their content changes: after a write the site sends a GET for each page it changed with
 * `X-Webstack-Refresh: 1` (site's plugins/page-cache.ts), which, from a refresher's address only
 * (loopback, or the app hosts of a cluster), skips the cached copy and stores the fresh answer in
 * its place. Visitors meanwhile get the stale copy (use_stale updating), and a missing entry is
 * fetched once however many ask (proxy_cache_lock). Anything personal is neither served from
 * nor stored in it: requests with the session or CSRF cookie or an Authorization header, and the
 * account, admin, login and edit pages. nginx never stores a response that sets a cookie (its
 * default, kept) or says no-store/private. Pure: renders config lines.
 */

export const MICRO_CACHE_ZONE = 'webstack_micro';
/**
 * How long a page is served from the cache without a refresh, by default: the bound on staleness
 * for what no write refreshes (a list's later pages, a byline after a renamed account).
 */
export const MICRO_CACHE_SECONDS = 10;
/** The request header of a refresh; ignored unless it comes from a refresher's address. */
export const CACHE_REFRESH_HEADER = 'X-Webstack-Refresh';

/** Cookies that make a request personal: the session (plain and __Host-) and the anonymous CSRF secret. */
const PERSONAL_COOKIE = '"~(^|;)\\s*(__Host-)?(sid|csrf)="';
/** Pages that are personal or sensitive whoever asks (the site marks them no-store too). */
const PRIVATE_PATH =
  '"~^/(login|register|logout|account|admin|api/v1/session|api/v1/users)(/|$)|/(new|edit)$|^/(healthz|readyz|metrics)$"';

/**
 * http{} level: the cache's directory and zone, and the maps that decide what skips it.
 * `refreshFrom`: addresses besides loopback whose refreshes count (a cluster's app hosts).
 */
export function renderMicroCacheHttp(
  dir: string,
  refreshFrom: readonly string[] = [],
  seconds = MICRO_CACHE_SECONDS,
): string[] {
  const header = `$http_${CACHE_REFRESH_HEADER.toLowerCase().replaceAll('-', '_')}`;
  return [
    `  # Micro-cache (see micro-cache.ts): ${seconds}s for anonymous pages, refreshed on writes; everything personal skips it.`,
    `  proxy_cache_path ${dir} levels=1:2 keys_zone=${MICRO_CACHE_ZONE}:10m max_size=256m inactive=60s use_temp_path=off;`,
    '  map $http_cookie $webstack_cache_cookie {',
    '    default 0;',
    `    ${PERSONAL_COOKIE} 1;`,
    '  }',
    '  map $uri $webstack_cache_path {',
    '    default 0;',
    `    ${PRIVATE_PATH} 1;`,
    '  }',
    '  geo $webstack_cache_refresher {',
    '    default 0;',
    '    127.0.0.1/32 1;',
    '    ::1/128 1;',
    ...refreshFrom.map((address) => `    ${address} 1;`),
    '  }',
    `  map $webstack_cache_refresher:${header} $webstack_cache_refresh {`,
    '    default 0;',
    '    1:1 1;',
    '  }',
  ];
}

/**
 * location / level: use the cache for what may share it, and say what happened in X-Cache-Status.
 * `seconds`: how long a 200 stays valid without a refresh.
 */
export function renderMicroCacheLocation(seconds = MICRO_CACHE_SECONDS): string[] {
  const skip = '$webstack_cache_cookie $webstack_cache_path $http_authorization';
  return [
    `      proxy_cache ${MICRO_CACHE_ZONE};`,
    '      proxy_cache_methods GET HEAD;',
    '      proxy_cache_key $scheme$host$request_uri;',
    `      proxy_cache_valid 200 ${seconds}s;`,
    // Stored briefly too, so that the refresh of a deleted or unpublished page replaces the old copy.
    '      proxy_cache_valid 404 1s;',
    // One request refreshes an entry while the others wait for it, or get the stale copy.
    '      proxy_cache_lock on;',
    '      proxy_cache_lock_timeout 5s;',
    '      proxy_cache_use_stale updating;',
    // A refresh skips the stored copy but, unlike a personal request, stores its answer.
    `      proxy_cache_bypass ${skip} $webstack_cache_refresh;`,
    `      proxy_no_cache ${skip};`,
    '      add_header X-Cache-Status $upstream_cache_status always;',
  ];
}
