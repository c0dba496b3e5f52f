/**
 * `webstack up` on a machine already set up skips the site's migrate process when the database
 * records exactly the release's migrations, and still migrates when the release has one the
 * database lacks. Against the stack's own MariaDB, through the real CLI.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { MIGRATION_TABLE } from '../../src/contract.js';
import { adminOverSocket } from '../../src/stack/components/mariadb/index.js';
import { statePaths } from '../../src/stack/core/paths.js';
import { localHost } from '../../src/stack/host/index.js';
import { releaseMigrations } from '../../src/stack/operations/deploy/rules.js';
import { createTestStack, type TestStack } from '../support/stack.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('up and the migrate process', { timeout: 600_000 }, () => {
  let stack: TestStack;

  async function query(text: string): Promise<RowDataPacket[]> {
    const connection = await mysql.createConnection({
      ...adminOverSocket(statePaths(stack.stateDir).mariadb.socket),
      database: 'foobar',
    });
    try {
      const [rows] = await connection.query<RowDataPacket[]>(text);
      return rows;
    } finally {
      await connection.end();
    }
  }

  /** The supervisor's log lines written during `up` (the CLI itself shows only some of the steps). */
  async function up(): Promise<string> {
    const log = statePaths(stack.stateDir).supervisorLog;
    const before = existsSync(log) ? (await readFile(log, 'utf8')).length : 0;
    const result = await stack.up();
    assert.equal(result.code, 0, result.stderr + result.stdout);
    return (await readFile(log, 'utf8')).slice(before);
  }

  async function restart(): Promise<string> {
    const down = await stack.down();
    assert.equal(down.code, 0, down.stderr + down.stdout);
    return await up();
  }

  before(async () => {
    stack = await createTestStack({ seed: false });
  });
  after(async () => {
    await stack.destroy();
  });

  test('the first up migrates a fresh database', async () => {
    assert.match(await up(), /migrating the database/);
    const applied = await query(`SELECT name FROM ${MIGRATION_TABLE}`);
    assert.deepEqual(applied.map((row) => String(row.name)).sort(), await releaseMigrations(localHost, root));
  });

  test('an up with nothing to migrate runs no migrate process', async () => {
    const stdout = await restart();
    assert.match(stdout, /the schema is up to date: no migration to run/);
    assert.doesNotMatch(stdout, /migrating the database/);
  });

  test('an up whose release has a migration the database lacks runs it', async () => {
    // The database as it was before the release's newest migration (the one that creates uploads).
    const latest = (await releaseMigrations(localHost, root)).at(-1);
    assert.match(latest ?? '', /_create_uploads$/, 'the newest migration creates the uploads table');
    await query('DROP TABLE uploads');
    await query(`DELETE FROM ${MIGRATION_TABLE} WHERE name = '${latest}'`);
    const stdout = await restart();
    assert.match(stdout, /migrating the database/);
    const applied = await query(`SELECT name FROM ${MIGRATION_TABLE} WHERE name = '${latest}'`);
    assert.equal(applied.length, 1);
    const table = await query("SHOW TABLES LIKE 'uploads'");
    assert.equal(table.length, 1);
  });
});
