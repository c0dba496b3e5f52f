/**
 * The bench talks to the stack's MariaDB as the site's own account (DML only), with the password
 * from the state directory's secrets file: loads the data set, creates its accounts, lists slugs.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import argon2 from 'argon2';
import { type Connection, createConnection, type RowDataPacket } from 'mysql2/promise';
import { APP_DB_USER, databaseAddress } from '../src/stack/components/appserver/site-env.js';
import type { ResolvedConfig } from '../src/stack/core/config/load.js';
import { statePaths } from '../src/stack/core/paths.js';
import { benchArticle, benchProduct, multiRowInsert } from './data.js';

const BATCH = 500;
export const BENCH_EMAILS = { member: 'bench-member@bench.invalid', editor: 'bench-editor@bench.invalid' };

export interface BenchAccount {
  id: number;
  email: string;
  password: string;
}

export async function connectDb(config: ResolvedConfig): Promise<Connection> {
  const paths = statePaths(config.stateDir);
  const secrets = JSON.parse(await readFile(paths.secrets, 'utf8')) as { appDbPassword?: string };
  if (!secrets.appDbPassword) throw new Error(`no appDbPassword in ${paths.secrets}`);
  const { host, port, socket } = databaseAddress(config, paths);
  return createConnection({
    ...(socket ? { socketPath: socket } : { host, port }),
    user: APP_DB_USER,
    password: secrets.appDbPassword,
    database: config.database.name,
    timezone: 'Z',
    charset: 'utf8mb4_unicode_ci',
  });
}

/** Creates (or resets the password of) a bench account: a fresh random password every run. */
export async function ensureAccount(
  db: Connection,
  email: string,
  role: 'member' | 'editor',
): Promise<BenchAccount> {
  const password = randomBytes(18).toString('base64url');
  // The site's own argon2id settings (users.service.ts HASH_OPTIONS), so a login costs what it costs.
  const hash = await argon2.hash(password, { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2 });
  await db.execute(
    'INSERT INTO users (email, password_hash, role, display_name) VALUES (?, ?, ?, ?)' +
      ' ON DUPLICATE KEY UPDATE password_hash = VALUES(password_hash), role = VALUES(role)',
    [email, hash, role, `Bench ${role}`],
  );
  const [rows] = await db.execute<RowDataPacket[]>('SELECT id FROM users WHERE email = ?', [email]);
  const id = rows[0]?.id;
  if (typeof id !== 'number') throw new Error(`bench account ${email} was not created`);
  return { id, email, password };
}

/** Inserts articles 1..articles and products 1..products in batches of multi-row INSERTs. */
export async function loadData(
  db: Connection,
  counts: { articles: number; products: number },
  authorId: number,
): Promise<void> {
  for (let start = 1; start <= counts.articles; start += BATCH) {
    const rows = [];
    for (let n = start; n < Math.min(start + BATCH, counts.articles + 1); n++)
      rows.push(benchArticle(n, authorId));
    const { sql, values } = multiRowInsert('articles', rows);
    await db.query(sql, values);
  }
  for (let start = 1; start <= counts.products; start += BATCH) {
    const rows = [];
    for (let n = start; n < Math.min(start + BATCH, counts.products + 1); n++) rows.push(benchProduct(n));
    const { sql, values } = multiRowInsert('products', rows);
    await db.query(sql, values);
  }
  // A site that grew row by row has fresh index statistics; one bulk load leaves them stale.
  await db.query('ANALYZE TABLE articles, products, users');
}

/** Slugs of published articles (the bench's and any others), at most `limit`. */
export async function publishedSlugs(db: Connection, limit: number): Promise<string[]> {
  const [rows] = await db.query<RowDataPacket[]>(
    "SELECT slug FROM articles WHERE status = 'published' ORDER BY id LIMIT ?",
    [limit],
  );
  return rows.map((r) => String(r.slug));
}

/** Removes the bench accounts and what they wrote (their sessions cascade): for a stack the bench did not create. */
export async function removeBenchAccounts(db: Connection, accounts: readonly BenchAccount[]): Promise<void> {
  for (const account of accounts) {
    await db.execute('DELETE FROM articles WHERE author_id = ?', [account.id]);
    await db.execute('DELETE FROM users WHERE id = ?', [account.id]);
  }
}
