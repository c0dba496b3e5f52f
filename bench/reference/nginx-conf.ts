/**
 * The reference Nginx: the same settings as the stack's (src/stack/components/nginx/conf.ts:
 * workers, JSON access log, gzip, upstream keep-alive, proxy headers), serving the static copy
 * of an article page itself and proxying to the two bare Node servers. Pure.
 */
import { ACCESS_LOG_FORMAT } from '../../src/stack/components/nginx/conf.js';
import { MIME_TYPES } from '../../src/stack/components/nginx/mime.js';

export interface ReferenceNginxOptions {
  host: string;
  port: number;
  nodeHttpPort: number;
  fastifyPort: number;
  /** Directory holding article.html, the static copy of an article page. */
  staticDir: string;
  /** Existing directory for the pid file, logs and temp directories. */
  dir: string;
}

export const REFERENCE_PATHS = {
  static: '/static/article.html',
  nodeHttp: '/node/article',
  fastify: '/fastify/articles/',
} as const;

export function renderReferenceNginxConf(o: ReferenceNginxOptions): string {
  const proxy = (upstream: string) => [
    `      proxy_pass http://${upstream};`,
    '      proxy_http_version 1.1;',
    '      proxy_set_header Connection "";',
    '      proxy_set_header Host $host;',
    '      proxy_set_header X-Real-IP $remote_addr;',
    '      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '      proxy_set_header X-Forwarded-Proto $scheme;',
    '      proxy_set_header X-Request-Id $request_id;',
  ];
  return [
    '# The bench reference: not part of the product.',
    'worker_processes auto;',
    `pid ${o.dir}/nginx.pid;`,
    `error_log ${o.dir}/error.log warn;`,
    'events {',
    '  worker_connections 1024;',
    '}',
    'http {',
    MIME_TYPES.split('\n')
      .map((line) => (line ? `  ${line}` : line))
      .join('\n'),
    '  default_type application/octet-stream;',
    '  charset utf-8;',
    '  sendfile on;',
    '  tcp_nopush on;',
    '  server_tokens off;',
    '  keepalive_timeout 65s;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${o.dir}/${t};`),
    `  log_format webstack_json escape=json '${ACCESS_LOG_FORMAT}';`,
    `  access_log ${o.dir}/access.log webstack_json;`,
    '  gzip on;',
    '  gzip_proxied any;',
    '  gzip_min_length 1024;',
    '  upstream ref_node_http {',
    `    server 127.0.0.1:${o.nodeHttpPort};`,
    '    keepalive 32;',
    '  }',
    '  upstream ref_fastify {',
    `    server 127.0.0.1:${o.fastifyPort};`,
    '    keepalive 32;',
    '  }',
    '  server {',
    `    listen ${o.host}:${o.port};`,
    '    server_name www.foobar.com;',
    '    if ($request_uri ~* "^[^?]*(/|%2f)(\\.|%2e)(\\.|%2e)(/|%2f|\\?|$)") {',
    '      return 400;',
    '    }',
    `    location = ${REFERENCE_PATHS.static} {`,
    `      alias ${o.staticDir}/article.html;`,
    '      add_header X-Content-Type-Options nosniff;',
    '    }',
    `    location = ${REFERENCE_PATHS.nodeHttp} {`,
    ...proxy('ref_node_http'),
    '    }',
    `    location ^~ ${REFERENCE_PATHS.fastify} {`,
    ...proxy('ref_fastify'),
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
}
