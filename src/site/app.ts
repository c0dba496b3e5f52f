import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import { type TypeBoxTypeProvider, TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  LogController,
  type RawServerDefault,
} from 'fastify';
import { REQUEST_ID_HEADER, type SiteSettings } from '../contract.js';
import { createDb, type Db } from './database/database.js';
import { requestLogLevel } from './lib/request-log.js';
import { adminRoutes } from './modules/admin/admin.routes.js';
import { articlesApiRoutes } from './modules/articles/articles.api.js';
import { articlesRoutes } from './modules/articles/articles.routes.js';
import { homeRoutes } from './modules/home/home.routes.js';
import { productsApiRoutes } from './modules/products/products.api.js';
import { productsRoutes } from './modules/products/products.routes.js';
import { uploadsRoutes } from './modules/uploads/uploads.routes.js';
import { usersApiRoutes } from './modules/users/users.api.js';
import { usersRoutes } from './modules/users/users.routes.js';
import { answerClientError } from './plugins/client-error.js';
import { crossSitePlugin } from './plugins/cross-site.js';
import { csrfPlugin } from './plugins/csrf.js';
import { databasePlugin } from './plugins/database.js';
import { errorsPlugin } from './plugins/errors.js';
import { healthPlugin } from './plugins/health.js';
import { metricsPlugin } from './plugins/metrics.js';
import { pageCachePlugin } from './plugins/page-cache.js';
import { securityPlugin } from './plugins/security.js';
import { sessionPlugin } from './plugins/session.js';
import { viewsPlugin } from './plugins/views.js';
import { loadAssetManifest } from './views/assets.js';

/** The app as modules see it: TypeBox schemas give typed bodies, params and queries. */
export type App = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface BuildOptions {
  /** Pino options, or false for silent tests. Defaults to JSON lines at settings.logLevel. */
  logger?: boolean | { level: string; stream?: { write(line: string): void } };
  /** Use this Kysely instance instead of opening a pool from settings (closed with the app). */
  db?: Db;
  assetsDir?: string;
  /** Which proxy's X-Forwarded-* headers to believe: Nginx on the same host by default. */
  trustProxy?: string | string[] | boolean;
}

const REQUEST_ID = /^[A-Za-z0-9-]{1,64}$/;
const BODY_LIMIT = 1024 * 1024;
/** The default of SiteSettings.requestTimeoutSeconds. */
const REQUEST_TIMEOUT_SECONDS = 30;
/** How often Node looks for requests past their deadline (its default, 30 s, would double it). */
const DEADLINE_CHECK_MS = 1000;

/** Builds the site: plugins first (order matters: db → cookies → session → csrf → views → errors), then modules. */
export async function buildApp(settings: SiteSettings, options: BuildOptions = {}): Promise<App> {
  const requestTimeoutMs = (settings.requestTimeoutSeconds ?? REQUEST_TIMEOUT_SECONDS) * 1000;
  const app = Fastify({
    logger: options.logger ?? { level: settings.logLevel },
    // Nginx's request id when it is well formed; otherwise our own.
    genReqId: (req) => {
      const given = req.headers[REQUEST_ID_HEADER];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    // Our onResponse hook writes the one line per request.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: options.trustProxy ?? settings.trustedProxies ?? '127.0.0.1',
    bodyLimit: BODY_LIMIT,
    forceCloseConnections: 'idle',
    // Draining is handled in entry.ts; requests still arriving on open connections are served.
    return503OnClosing: false,
    // Longer than Nginx's upstream keepalive_timeout, so Nginx always closes idle connections first.
    keepAliveTimeout: 72_000,
    // The whole request (headers and body) must arrive within requestTimeout, or Node gives up on
    // it and clientErrorHandler answers 408 and closes. Node swaps the two deadlines when
    // headersTimeout is the longer one, so it may not exceed requestTimeout.
    requestTimeout: requestTimeoutMs,
    http: {
      headersTimeout: Math.min(60_000, requestTimeoutMs),
      connectionsCheckingInterval: DEADLINE_CHECK_MS,
    },
    clientErrorHandler: answerClientError,
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // TypeBox validation: converts types only in querystring/params/headers, never removes body fields.
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  // Bodies are JSON or forms; text/plain (what a cross-site form can send without a preflight) gets 415.
  app.removeContentTypeParser('text/plain');
  loadAssetManifest(options.assetsDir);

  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  // At most one log line per request, at a level by outcome (lib/request-log.ts); Nginx's access
  // log has every request; at the default level most requests log nothing.
  app.addHook('onResponse', async (request, reply) => {
    const ms = reply.elapsedTime;
    const level = request.routeOptions.config.quiet ? 'debug' : requestLogLevel(reply.statusCode, ms);
    request.log[level](
      { method: request.method, url: request.url, statusCode: reply.statusCode, ms: Math.round(ms) },
      'request',
    );
  });

  const db =
    options.db ??
    createDb({
      url: settings.databaseUrl,
      password: settings.databasePassword,
      poolSize: settings.dbPoolSize,
      ...(settings.databaseCa === undefined ? {} : { ca: settings.databaseCa }),
    });
  await app.register(databasePlugin, { db });
  await app.register(cookie);
  // Before the session hook: a refused cross-site request reads and writes nothing.
  await app.register(crossSitePlugin, { publicUrl: settings.publicUrl });
  await app.register(formbody);
  await app.register(rateLimit, { global: false });
  await app.register(sessionPlugin);
  await app.register(securityPlugin);
  await app.register(csrfPlugin, { secret: settings.sessionSecret });
  await app.register(viewsPlugin);
  await app.register(errorsPlugin);
  await app.register(healthPlugin, { release: settings.release });
  await app.register(metricsPlugin);
  await app.register(pageCachePlugin, {
    origins: settings.cacheRefreshOrigins ?? [],
    publicUrl: settings.publicUrl,
  });

  // Modules: one line each.
  const auth = { authRatePerMinute: settings.authRatePerMinute };
  await app.register(usersRoutes, auth);
  await app.register(usersApiRoutes, { prefix: '/api/v1', ...auth });
  await app.register(articlesRoutes);
  await app.register(articlesApiRoutes, { prefix: '/api/v1' });
  const uploads = { uploadsDir: settings.uploadsDir, uploadMaxBytes: settings.uploadMaxBytes };
  await app.register(productsRoutes, uploads);
  await app.register(productsApiRoutes, { ...uploads, prefix: '/api/v1' });
  await app.register(uploadsRoutes);
  await app.register(homeRoutes, { publicUrl: settings.publicUrl });
  await app.register(adminRoutes, settings.statusFile ? { statusFile: settings.statusFile } : {});

  return app;
}
