import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isContractMigration } from '../../../src/contract.js';
import { statePaths } from '../../../src/stack/core/paths.js';
import { localHost } from '../../../src/stack/host/index.js';
import { acquireDeployLock } from '../../../src/stack/operations/deploy/lock.js';
import { rollbackBlockers, sameMigrations } from '../../../src/stack/operations/deploy/rules.js';

const expand = ['2026_11_29_1300_create_users', '2026_12_01_0900_add_users_nickname'];

test('contract migrations are named by their verb: contract or drop', () => {
  assert.equal(isContractMigration('2026_12_02_0900_drop_users_legacy_name'), true);
  assert.equal(isContractMigration('2026_12_02_0900_contract_articles_body'), true);
  assert.equal(isContractMigration('2026_12_01_0900_add_users_nickname'), false);
  assert.equal(isContractMigration('2026_12_01_0900_create_drop_zones'), false);
  assert.equal(isContractMigration('drop_everything'), false);
});

test('a rollback is allowed over expand migrations the older release does not know', () => {
  assert.deepEqual(rollbackBlockers(expand, ['2026_11_29_1300_create_users']), []);
});

test('a rollback is refused when the database holds a contract migration the release does not know', () => {
  const applied = [...expand, '2026_12_02_0900_drop_users_legacy_name'];
  assert.deepEqual(rollbackBlockers(applied, expand), ['2026_12_02_0900_drop_users_legacy_name']);
  // A contract migration the target release itself shipped is part of its own schema.
  assert.deepEqual(rollbackBlockers(applied, applied), []);
});

test('the deploy lock admits one holder; a lock left by a dead process is taken over', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'webstack-lock-'));
  try {
    const paths = statePaths(dir);
    await mkdir(paths.run, { recursive: true });
    const release = await acquireDeployLock(localHost, paths);
    await assert.rejects(acquireDeployLock(localHost, paths), /DEPLOY_LOCKED|another deploy/);
    await release();
    // pid 2^22+1 is above Linux's pid_max ceiling: no such process.
    await writeFile(paths.deployLock, `${2 ** 22 + 1}\n`);
    const again = await acquireDeployLock(localHost, paths);
    await again();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('up skips the migrator only when the database records exactly the release migrations', () => {
  assert.equal(sameMigrations(expand, expand), true);
  // The database's collation may list them in another order than the release's files.
  assert.equal(sameMigrations([...expand].reverse(), expand), true);
  // The release brings a migration the database lacks: it must migrate.
  assert.equal(sameMigrations(expand.slice(0, 1), expand), false);
  // A newer release migrated the database: the migrator decides whether this one may run on it.
  assert.equal(sameMigrations([...expand, '2026_12_02_0900_add_users_bio'], expand), false);
  // A fresh database: nothing applied.
  assert.equal(sameMigrations([], expand), false);
});
