/**
 * Uploads live in the site's database and are served by the app under /uploads/ with immutable
 * caching. Nginx keeps each answer on its own disk, so the app serves each file at most once per
 * Nginx (load balancer): `proxy_cache_lock` makes concurrent misses for one file wait for the
 * first, and entries stay for a year unless the cache outgrows its size. Nothing the upstream says
 * is ignored: an answer that sets a cookie, or says no-store or private, is never stored; only 200s
 * are. Pure: renders config lines.
 */

export const UPLOADS_CACHE_ZONE = 'webstack_uploads';
/** How long a 200 is kept (the app says max-age of a year, immutable, which nginx honours too). */
export const UPLOADS_CACHE_VALID = '365d';
/** Disk the cache may use; beyond it the least recently used files are fetched again. */
export const UPLOADS_CACHE_MAX_SIZE = '2g';

/** http{} level: the cache's directory and zone (nginx makes the directory, as for the micro-cache). */
export function renderUploadsCacheHttp(dir: string): string[] {
  return [
    '  # Uploads cache (see uploads-cache.ts): each file fetched from the app once, kept for a year.',
    `  proxy_cache_path ${dir} levels=1:2 keys_zone=${UPLOADS_CACHE_ZONE}:10m max_size=${UPLOADS_CACHE_MAX_SIZE} inactive=${UPLOADS_CACHE_VALID} use_temp_path=off;`,
  ];
}

/** location /uploads/ level: the cache, and what happened in X-Cache-Status. */
export function renderUploadsCacheLocation(): string[] {
  return [
    `      proxy_cache ${UPLOADS_CACHE_ZONE};`,
    '      proxy_cache_methods GET HEAD;',
    // The path alone: a query string or another spelling of the host is the same file, not a miss.
    '      proxy_cache_key $uri;',
    `      proxy_cache_valid 200 ${UPLOADS_CACHE_VALID};`,
    // Concurrent misses for one file wait for the first answer instead of each asking the app.
    '      proxy_cache_lock on;',
    '      proxy_cache_lock_timeout 60s;',
    '      proxy_cache_lock_age 60s;',
    '      add_header X-Cache-Status $upstream_cache_status always;',
  ];
}
