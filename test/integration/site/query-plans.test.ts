import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type CompiledQuery, Kysely, MysqlDialect } from 'kysely';
import { createPool } from 'mysql2';
import { createConnection } from 'mysql2/promise';
import { benchArticle, benchProduct, multiRowInsert } from '../../../bench/data.js';
import { type Database, poolOptionsFromUrl } from '../../../src/site/database/database.js';
import { migrateToLatest } from '../../../src/site/database/migrator.js';
import * as articles from '../../../src/site/modules/articles/articles.service.js';
import * as products from '../../../src/site/modules/products/products.service.js';
import { sharedTestMariadb, type TestDatabase } from '../../support/mariadb.js';

// Enough rows that a full scan or a filesort is the plan MariaDB would pick if the query allowed it.
const ARTICLES = 3000;
const PRODUCTS = 600;

interface PlanRow {
  table: string | null;
  type: string | null;
  key: string | null;
  Extra: string | null;
}

/**
 * EXPLAINs every query the home, list and detail pages (HTML and API) send, on the real database,
 * and checks that none scans or sorts a big table.
 */
describe('query plans on articles and products', () => {
  let database: TestDatabase;
  const seen: CompiledQuery[] = [];
  let db: Kysely<Database>;

  before(async () => {
    const server = await sharedTestMariadb();
    database = await server.createDatabase('plans');
    const admin = await createConnection({
      ...poolOptionsFromUrl({ url: database.migratorUrl, password: database.migratorPassword, poolSize: 1 }),
      multipleStatements: false,
    });
    try {
      const migrator = new Kysely<Database>({
        dialect: new MysqlDialect({
          pool: createPool(
            poolOptionsFromUrl({
              url: database.migratorUrl,
              password: database.migratorPassword,
              poolSize: 1,
            }),
          ),
        }),
      });
      await migrateToLatest(migrator);
      await migrator.destroy();
      const [user] = await admin.query<import('mysql2').ResultSetHeader>(
        "INSERT INTO users (email, password_hash, display_name, role) VALUES ('plans@example.com', 'x', 'P', 'editor')",
      );
      for (let start = 1; start <= ARTICLES; start += 500) {
        const rows = Array.from({ length: 500 }, (_, i) => benchArticle(start + i, user.insertId));
        const { sql, values } = multiRowInsert('articles', rows);
        await admin.query(sql, values);
      }
      const items = Array.from({ length: PRODUCTS }, (_, i) => benchProduct(i + 1));
      const { sql, values } = multiRowInsert('products', items);
      await admin.query(sql, values);
      await admin.query('ANALYZE TABLE articles, products, users');
    } finally {
      await admin.end();
    }
    db = new Kysely<Database>({
      dialect: new MysqlDialect({
        pool: createPool(
          poolOptionsFromUrl({ url: database.url, password: database.appPassword, poolSize: 2 }),
        ),
      }),
      log: (event) => {
        if (event.level === 'query') seen.push(event.query);
      },
    });
  });

  after(async () => {
    await db?.destroy();
    await database?.drop();
  });

  async function plansOf(run: () => Promise<unknown>): Promise<{ sql: string; plan: PlanRow[] }[]> {
    seen.length = 0;
    await run();
    const out = [];
    for (const query of seen.splice(0)) {
      const { rows } = await db.executeQuery<PlanRow>({
        ...query,
        sql: `EXPLAIN ${query.sql}`,
      } as CompiledQuery<PlanRow>);
      out.push({ sql: query.sql, plan: rows });
    }
    return out;
  }

  function assertCheap(queries: { sql: string; plan: PlanRow[] }[], expected: number): void {
    assert.equal(queries.length, expected, `query count (no N+1): ${queries.map((q) => q.sql).join('\n')}`);
    for (const { sql, plan } of queries) {
      for (const row of plan) {
        if (row.table !== 'articles' && row.table !== 'products') continue;
        const where = `${sql}\n${JSON.stringify(row)}`;
        assert.notEqual(row.type, 'ALL', `full scan: ${where}`);
        assert.doesNotMatch(row.Extra ?? '', /filesort|temporary/i, `sort: ${where}`);
      }
    }
  }

  it('home: latest articles and featured products', async () => {
    const queries = await plansOf(() =>
      Promise.all([articles.latestArticles(db, 5), products.featuredProducts(db, 6)]),
    );
    assertCheap(queries, 3);
  });

  it('/articles page 1 and a deep page: ids by index, then the page by primary key', async () => {
    assertCheap(await plansOf(() => articles.listArticlesPage(db, 1, 10)), 3);
    assertCheap(await plansOf(() => articles.listArticlesPage(db, 200, 10)), 3);
  });

  it('editor drafts, API list (first page and after a cursor) and the feed', async () => {
    assertCheap(await plansOf(() => articles.listVisibleDrafts(db, { id: 1, role: 'editor' })), 1);
    const first = await articles.listArticlesAfter(db, undefined, 20);
    assert.ok(first.nextCursor);
    assertCheap(await plansOf(() => articles.listArticlesAfter(db, first.nextCursor ?? undefined, 20)), 2);
    assertCheap(await plansOf(() => articles.listPublishedFull(db, 20)), 2);
  });

  it('article and product detail pages: one row by its unique slug', async () => {
    const article = await plansOf(() => articles.getArticle(db, null, 'bench-article-001234'));
    assertCheap(article, 1);
    assert.equal(article[0]?.plan.find((r) => r.table === 'articles')?.type, 'const');
    assertCheap(await plansOf(() => products.getProduct(db, 'bench-product-00123')), 1);
    assertCheap(await plansOf(() => products.listProductsPage(db, 3, 12)), 3);
  });

  it('lists carry the stored excerpt, never the bodies', async () => {
    const [card] = await articles.latestArticles(db, 1);
    assert.ok(card);
    assert.equal(card.slug, `bench-article-${String(ARTICLES).padStart(6, '0')}`);
    assert.ok(card.excerpt.length > 20);
    assert.equal('body_md' in card || 'body_html' in card, false);
  });
});
