import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { SITE_ENV } from '../../../src/contract.js';
import { sharedTestMariadb } from '../../support/mariadb.js';
import { migratorDb } from './helper.js';

const run = promisify(execFile);
const CLI = new URL('../../../src/site/cli.ts', import.meta.url).pathname;

async function cli(env: NodeJS.ProcessEnv, args: string[], input?: string) {
  const child = run(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { ...process.env, ...env } });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  } else {
    child.child.stdin?.end();
  }
  return child;
}

test('site CLI: migrate twice, then user-add with a given and a generated password', async (t) => {
  const database = await (await sharedTestMariadb()).createDatabase('cli');
  t.after(() => database.drop());
  const env = {
    [SITE_ENV.databaseUrl]: database.migratorUrl,
    [SITE_ENV.databasePassword]: database.migratorPassword,
    [SITE_ENV.sessionSecret]: 'x'.repeat(40),
  };
  assert.match((await cli(env, ['migrate'])).stdout, /applied: .*create_users/);
  assert.match((await cli(env, ['migrate'])).stdout, /schema is up to date/);

  const given = await cli(
    env,
    ['user-add', '--email', 'Root@Example.com', '--role', 'admin'],
    'a given password 123\n',
  );
  assert.match(given.stdout, /created admin root@example\.com/);
  assert.doesNotMatch(given.stdout, /password/);

  const generated = await cli(env, ['user-add', '--email', 'ed@example.com', '--role', 'editor']);
  assert.match(generated.stdout, /password \(shown once\): [A-Za-z0-9_-]{24}/);

  await assert.rejects(cli(env, ['user-add', '--email', 'x@example.com', '--role', 'king']), /choices/);
  await assert.rejects(
    cli(env, ['user-add', '--email', 'root@example.com', '--role', 'admin'], 'another password 123'),
    /already exists/,
  );

  const db = migratorDb(database);
  t.after(() => db.destroy());
  const rows = await db.selectFrom('users').select(['email', 'role']).orderBy('id').execute();
  assert.deepEqual(rows, [
    { email: 'root@example.com', role: 'admin' },
    { email: 'ed@example.com', role: 'editor' },
  ]);
});
