import {
  type CompiledQuery,
  type Driver,
  DummyDriver,
  Kysely,
  MysqlAdapter,
  MysqlDialect,
  MysqlIntrospector,
  type MysqlPool,
  type MysqlPoolConnection,
  MysqlQueryCompiler,
} from 'kysely';
import { createPool, type Pool, type PoolConnection, type PoolOptions } from 'mysql2';
import type { ArticlesTable } from '../modules/articles/articles.table.js';
import type { ProductsTable } from '../modules/products/products.table.js';
import type { UploadsTable } from '../modules/uploads/uploads.table.js';
import type { LoginThrottleTable } from '../modules/users/login-throttle.table.js';
import type { SessionsTable } from '../modules/users/sessions.table.js';
import type { UsersTable } from '../modules/users/users.table.js';
import { RowLockMysqlAdapter } from './migration-lock.js';
import { idempotentPlugin, RetryingDriver } from './retrying-driver.js';

/** Every table the site reads or writes; each module declares its own in `*.table.ts`. */
export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  articles: ArticlesTable;
  products: ProductsTable;
  login_throttle: LoginThrottleTable;
  uploads: UploadsTable;
}

export type Db = Kysely<Database>;

export interface DatabaseOptions {
  url: string;
  password: string;
  poolSize: number;
  /** How long a query may wait for a pooled connection before failing (so pages answer 503, not hang). */
  acquireTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** PEM of the CA that signed the server's certificate: TCP connections then use TLS (SiteSettings.databaseCa). */
  ca?: string;
}

/** Turns mysql://user@host:port/db[?socket=/path] into mysql2 pool options. Pure. */
export function poolOptionsFromUrl(options: DatabaseOptions): PoolOptions {
  const url = new URL(options.url);
  if (url.protocol !== 'mysql:')
    throw new Error(`database URL must start with mysql:// (got ${url.protocol}//)`);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (database === '') throw new Error('database URL must name a database: mysql://user@host:port/NAME');
  const socketPath = url.searchParams.get('socket');
  // TLS on TCP only: a unix socket never leaves the machine. The server's certificate must chain to
  // the CA; mysql2 checks no name for an IP address, and the cluster's CA signs only its own servers.
  const where = socketPath
    ? { socketPath }
    : {
        host: url.hostname || '127.0.0.1',
        port: Number(url.port || 3306),
        ...(options.ca === undefined ? {} : { ssl: { ca: options.ca, rejectUnauthorized: true } }),
      };
  return {
    ...where,
    user: decodeURIComponent(url.username),
    password: options.password,
    database,
    connectionLimit: options.poolSize,
    // A bounded queue: when the database is down, requests fail fast instead of piling up.
    queueLimit: options.poolSize * 50,
    connectTimeout: options.connectTimeoutMs ?? 1000,
    namedPlaceholders: false,
    dateStrings: false,
    timezone: 'Z',
    charset: 'utf8mb4_unicode_ci',
    enableKeepAlive: true,
    maxIdle: options.poolSize,
    idleTimeout: 60_000,
  };
}

/** The database is unreachable or the pool could not hand out a connection in time. */
export class PoolTimeoutError extends Error {
  override name = 'PoolTimeoutError';
  readonly code = 'POOL_ACQUIRE_TIMEOUT';
}

/**
 * A Kysely that never connects: hot queries are built and compiled with it once, at load, instead
 * of on every request (the builder and the compiler were a tenth of a worker's time on a page).
 */
export const compiler: Db = new Kysely<Database>({
  dialect: {
    createAdapter: () => new MysqlAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new MysqlIntrospector(db),
    createQueryCompiler: () => new MysqlQueryCompiler(),
  },
});

/** SQL texts that run as prepared statements (see `prepared`). */
const preparedSql = new Set<string>();

/**
 * Marks a compiled query as a prepared statement: mysql2's execute() parses it once per
 * connection (the server plans it once too) and reads its rows in the binary protocol. For the few
 * queries every page runs; Kysely keeps running the rest as text queries.
 */
export function prepared<R>(query: CompiledQuery<R>): CompiledQuery<R> {
  preparedSql.add(query.sql);
  return query;
}

/** `query` with a compiled query's SQL and new parameters, in the same order as when it was compiled. */
export function withParameters<R>(query: CompiledQuery<R>, parameters: readonly unknown[]): CompiledQuery<R> {
  return { ...query, parameters };
}

/** Each pooled connection as Kysely sees it: execute() for prepared SQL, query() for the rest. */
const kyselyConnections = new WeakMap<PoolConnection, MysqlPoolConnection>();

function kyselyConnection(connection: PoolConnection): MysqlPoolConnection {
  let wrapped = kyselyConnections.get(connection);
  if (!wrapped) {
    wrapped = {
      // biome-ignore lint/suspicious/noExplicitAny: forwards Kysely's two query() overloads unchanged.
      query: ((sql: string, parameters: unknown[], callback?: (...args: any[]) => void) =>
        callback && preparedSql.has(sql)
          ? // Kysely's parameters are the values mysql2 takes (strings, numbers, Dates, null).
            connection.execute(sql, parameters as Parameters<PoolConnection['execute']>[1], callback)
          : callback
            ? connection.query(sql, parameters, callback)
            : connection.query(sql, parameters)) as MysqlPoolConnection['query'],
      release: () => connection.release(),
    };
    kyselyConnections.set(connection, wrapped);
  }
  return wrapped;
}

/**
 * mysql2 has no acquire timeout: a request queued behind a pool of stuck connections would wait
 * forever. This wrapper fails the wait after `timeoutMs` and releases a late connection.
 */
export function withAcquireTimeout(pool: Pool, timeoutMs: number): MysqlPool {
  return {
    getConnection(callback) {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        callback(new PoolTimeoutError(`no database connection within ${timeoutMs} ms`), undefined as never);
      }, timeoutMs);
      pool.getConnection((error: NodeJS.ErrnoException | null, connection: PoolConnection) => {
        clearTimeout(timer);
        if (settled) {
          connection?.release();
          return;
        }
        settled = true;
        callback(error, connection ? kyselyConnection(connection) : connection);
      });
    },
    end(callback) {
      pool.end(callback);
    },
  };
}

/**
 * MySQL as Kysely speaks it, with the site's retry policy around every statement
 * (retrying-driver.ts) and a migration lock that holds on a Galera cluster (migration-lock.ts).
 */
class SiteDialect extends MysqlDialect {
  override createDriver(): Driver {
    return new RetryingDriver(super.createDriver());
  }
  override createAdapter(): MysqlAdapter {
    return new RowLockMysqlAdapter();
  }
}

/** Opens a Kysely instance over a mysql2 pool. Close it with `db.destroy()`. */
export function createDb(options: DatabaseOptions): Db {
  const pool = createPool(poolOptionsFromUrl(options));
  return new Kysely<Database>({
    dialect: new SiteDialect({ pool: withAcquireTimeout(pool, options.acquireTimeoutMs ?? 2000) }),
  });
}

/** Kept here for the modules that ask it of the database layer; the policy lives in failures.ts. */
export { isDatabaseUnavailable, OutcomeUnknownError } from './failures.js';

const idempotentDbs = new WeakMap<Db, Db>();

/**
 * `db` for writes that leave the same rows when they run twice (a DELETE by key, an UPDATE to
 * fixed values by key): when their connection dies in flight they are retried, not answered 503.
 */
export function idempotent(db: Db): Db {
  let marked = idempotentDbs.get(db);
  if (!marked) {
    marked = db.withPlugin(idempotentPlugin);
    idempotentDbs.set(db, marked);
  }
  return marked;
}
