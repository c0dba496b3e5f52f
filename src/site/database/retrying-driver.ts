import { setTimeout as sleep } from 'node:timers/promises';
import type {
  CompiledQuery,
  DatabaseConnection,
  Driver,
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryId,
  QueryResult,
  RootOperationNode,
  TransactionSettings,
  UnknownRow,
} from 'kysely';
import {
  DEFAULT_RETRY_BUDGET,
  decide,
  failureKind,
  OutcomeUnknownError,
  type RetryBudget,
  retryDelay,
  type Step,
} from './failures.js';

/**
 * The site's one retry policy, below Kysely: every statement outside a transaction goes through
 * here, whether a repository built it or it is a prepared statement (`prepared()`).
 *
 * - taking a connection is retried (nothing was sent);
 * - a SELECT is retried, on a fresh connection when its own died;
 * - a write that commits by itself is retried when the server rejected it (1213, 1047, 1205) or it
 *   was never sent; when its connection died in flight it may have committed: OutcomeUnknownError,
 *   unless its caller marked it idempotent (`idempotent(db)`);
 * - inside a transaction no statement is retried alone (the transaction is gone with its
 *   connection): `transaction()` in transaction.ts runs the whole of it again; a COMMIT whose
 *   connection died is OutcomeUnknownError.
 * Every retry waits a short, growing pause, within one bounded budget (failures.ts).
 */
export class RetryingDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly budget: RetryBudget = DEFAULT_RETRY_BUDGET,
  ) {}

  async init(): Promise<void> {
    await this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new RetryingConnection(this, await this.acquireInner());
  }

  /**
   * A connection of the inner driver, retried while none can be made (a failover, a restart).
   * `started`: when the statement that needs it first ran, so that both share one budget.
   */
  async acquireInner(started = Date.now()): Promise<DatabaseConnection> {
    return await withRetries(
      this.budget,
      'connect',
      () => this.inner.acquireConnection(),
      undefined,
      started,
    );
  }

  async releaseInner(connection: DatabaseConnection): Promise<void> {
    // mysql2 has already dropped a connection that died from its pool; releasing it is a no-op.
    await this.inner.releaseConnection(connection);
  }

  get retryBudget(): RetryBudget {
    return this.budget;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const c = own(connection);
    c.inTransaction = true;
    await this.inner.beginTransaction(c.inner, settings);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const c = own(connection);
    try {
      await this.inner.commitTransaction(c.inner);
    } catch (error) {
      // A rejected COMMIT (a certification conflict) rolled back: transaction() may run it again.
      if (decide(error, 'commit') === 'ambiguous') throw new OutcomeUnknownError(error);
      throw error;
    } finally {
      c.inTransaction = false;
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const c = own(connection);
    c.inTransaction = false;
    try {
      await this.inner.rollbackTransaction(c.inner);
    } catch (error) {
      // The connection is dead, and the server rolls back a session that ends. Throwing here
      // would hide the error that made Kysely roll back, the one that says what happened.
      if (failureKind(error) === 'other') throw error;
    }
  }

  async savepoint(
    connection: DatabaseConnection,
    name: string,
    compile: Parameters<NonNullable<Driver['savepoint']>>[2],
  ): Promise<void> {
    await this.inner.savepoint?.(own(connection).inner, name, compile);
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: Parameters<NonNullable<Driver['rollbackToSavepoint']>>[2],
  ): Promise<void> {
    await this.inner.rollbackToSavepoint?.(own(connection).inner, name, compile);
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: Parameters<NonNullable<Driver['releaseSavepoint']>>[2],
  ): Promise<void> {
    await this.inner.releaseSavepoint?.(own(connection).inner, name, compile);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await this.releaseInner(own(connection).inner);
  }

  async destroy(): Promise<void> {
    await this.inner.destroy();
  }
}

class RetryingConnection implements DatabaseConnection {
  inTransaction = false;
  constructor(
    private readonly driver: RetryingDriver,
    public inner: DatabaseConnection,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.inTransaction) return await this.inner.executeQuery<R>(query);
    const step = stepOf(query);
    const started = Date.now();
    return await withRetries(
      this.driver.retryBudget,
      step,
      () => this.inner.executeQuery<R>(query),
      async (error) => {
        if (failureKind(error) === 'rejected') return;
        // Its connection is gone: the next attempt takes another one (itself retried).
        await this.driver.releaseInner(this.inner);
        this.inner = await this.driver.acquireInner(started);
      },
      started,
    );
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

function own(connection: DatabaseConnection): RetryingConnection {
  if (!(connection instanceof RetryingConnection))
    throw new Error('RetryingDriver was handed a connection it did not make');
  return connection;
}

/** Runs `attempt` until it succeeds or the policy says stop; `beforeRetry` repairs what it needs. */
async function withRetries<T>(
  budget: RetryBudget,
  step: Step,
  attempt: () => Promise<T>,
  beforeRetry?: (error: unknown) => Promise<void>,
  started = Date.now(),
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const decision = decide(error, step);
      if (decision === 'ambiguous') throw new OutcomeUnknownError(error);
      if (decision !== 'retry') throw error;
      const pause = retryDelay(budget, n, Date.now() - started);
      if (pause === null) throw error;
      await sleep(pause);
      await beforeRetry?.(error);
    }
  }
}

const READ = /^\s*\(?\s*select\b/i;

/** SQL texts of compiled statements that are safe to run twice (see `idempotentSql`). */
const idempotentTexts = new Set<string>();
/** Queries built through `idempotent(db)`, by Kysely's per-query id. */
const idempotentIds = new WeakSet<QueryId>();

function stepOf(query: CompiledQuery): Step {
  if (READ.test(query.sql)) return 'read';
  if (idempotentIds.has(query.queryId) || idempotentTexts.has(query.sql)) return 'idempotent';
  return 'write';
}

/** Marks a compiled statement (built once, like `prepared()`) as safe to run twice. */
export function idempotentSql<R>(query: CompiledQuery<R>): CompiledQuery<R> {
  idempotentTexts.add(query.sql);
  return query;
}

/**
 * Marks every query built through it as idempotent: running it twice leaves the same rows as once
 * (a DELETE or an UPDATE to fixed values by a key). Its lost connection is then retried, not 503.
 */
export const idempotentPlugin: KyselyPlugin = {
  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    idempotentIds.add(queryId);
    return node;
  },
  async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return result;
  },
};
