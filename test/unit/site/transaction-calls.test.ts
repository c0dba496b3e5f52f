import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const site = fileURLToPath(new URL('../../../src/site/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'migrations' ? [] : sources(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

test('the site opens transactions only through transaction() (database/transaction.ts), which retries them', () => {
  const direct = sources(site)
    .filter((file) => !file.endsWith('database/transaction.ts'))
    .filter((file) => /\.transaction\(\)/.test(readFileSync(file, 'utf8')))
    .map((file) => relative(site, file));
  assert.deepEqual(direct, [], 'use transaction(db, work) instead of db.transaction().execute(work)');
});
