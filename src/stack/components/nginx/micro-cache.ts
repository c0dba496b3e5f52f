/**
 * Nginx's micro-cache: anonymous GET/HEAD pages kept for one second, so a burst of visitors to
 * one page costs the application one render a second. Anything personal is neither served from
 * nor stored in it: requests with the session or CSRF cookie or an Authorization header, and the
 * account, admin, login and edit pages. nginx never stores a response that sets a cookie (its
 * default, kept) or says no-store/private. Pure: renders config lines.
 */

export const MICRO_CACHE_ZONE = 'webstack_micro';
/** How long a page is served from the cache. */
export const MICRO_CACHE_VALID = '1s';

/** Cookies that make a request personal: the session (plain and __Host-) and the anonymous CSRF secret. */
const PERSONAL_COOKIE = '"~(^|;)\\s*(__Host-)?(sid|csrf)="';
/** Pages that are personal or sensitive whoever asks (the site marks them no-store too). */
const PRIVATE_PATH =
  '"~^/(login|register|logout|account|admin|api/v1/session|api/v1/users)(/|$)|/(new|edit)$|^/(healthz|readyz|metrics)$"';

/** http{} level: the cache's directory and zone, and the maps that decide what skips it. */
export function renderMicroCacheHttp(dir: string): string[] {
  return [
    '  # Micro-cache (see micro-cache-conf.ts): 1 s for anonymous pages; everything personal skips it.',
    `  proxy_cache_path ${dir} levels=1:2 keys_zone=${MICRO_CACHE_ZONE}:10m max_size=256m inactive=60s use_temp_path=off;`,
    '  map $http_cookie $webstack_cache_cookie {',
    '    default 0;',
    `    ${PERSONAL_COOKIE} 1;`,
    '  }',
    '  map $uri $webstack_cache_path {',
    '    default 0;',
    `    ${PRIVATE_PATH} 1;`,
    '  }',
  ];
}

/** location / level: use the cache for what may share it, and say what happened in X-Cache-Status. */
export function renderMicroCacheLocation(): string[] {
  const skip = '$webstack_cache_cookie $webstack_cache_path $http_authorization';
  return [
    `      proxy_cache ${MICRO_CACHE_ZONE};`,
    '      proxy_cache_methods GET HEAD;',
    '      proxy_cache_key $scheme$host$request_uri;',
    `      proxy_cache_valid 200 ${MICRO_CACHE_VALID};`,
    // One request refreshes an entry while the others wait for it, or get the stale copy.
    '      proxy_cache_lock on;',
    '      proxy_cache_lock_timeout 5s;',
    '      proxy_cache_use_stale updating;',
    `      proxy_cache_bypass ${skip};`,
    `      proxy_no_cache ${skip};`,
    '      add_header X-Cache-Status $upstream_cache_status always;',
  ];
}
