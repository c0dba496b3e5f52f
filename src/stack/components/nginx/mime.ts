/**
 * The MIME types the site serves, embedded so the generated nginx.conf reads nothing from /etc/nginx.
 * Unknown extensions fall back to application/octet-stream (and nosniff keeps browsers from guessing).
 */
export const MIME_TYPES = `types {
  text/html html htm;
  text/css css;
  text/plain txt;
  text/xml xml;
  application/javascript js mjs;
  application/json json map;
  application/atom+xml atom;
  application/rss+xml rss;
  application/manifest+json webmanifest;
  application/pdf pdf;
  image/png png;
  image/jpeg jpg jpeg;
  image/gif gif;
  image/webp webp;
  image/avif avif;
  image/svg+xml svg svgz;
  image/x-icon ico;
  font/woff woff;
  font/woff2 woff2;
}`;
