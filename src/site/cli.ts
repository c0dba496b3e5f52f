import { randomBytes } from 'node:crypto';
import { Command, Option } from 'commander';
import { createDb, type Db } from './database/database.js';
import { migrateToLatest, newerMigrations } from './database/migrator.js';
import { importLegacyUploads } from './modules/uploads/uploads.legacy.js';
import { createUser, logoutEverywhere, setRole } from './modules/users/users.service.js';
import { ROLES, type Role } from './modules/users/users.table.js';
import { seedDemo } from './seed/seed.js';
import { readSettings } from './settings.js';

/**
 * The site's own command line (SITE_CLI), run by the stack inside a release:
 *   node dist/site/cli.js migrate | seed | user-add --email E --role R [--name N]
 *                         | user-role --email E --role R | user-logout --email E
 * Settings come from the environment (SITE_ENV). Only this file touches argv, stdin and exit codes.
 */
async function withDb<T>(work: (db: Db) => Promise<T>): Promise<T> {
  const settings = readSettings();
  const db = createDb({
    url: settings.databaseUrl,
    password: settings.databasePassword,
    poolSize: 2,
    ...(settings.databaseCa === undefined ? {} : { ca: settings.databaseCa }),
  });
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

const program = new Command('site').description('foobar.com site tasks').showHelpAfterError();

program
  .command('migrate')
  .description(
    'bring the database schema up to date, then move files older releases left in the uploads directory into it (a no-op when done)',
  )
  .action(async () => {
    const { uploadsDir } = readSettings();
    const { applied, newer, legacy } = await withDb(async (db) => ({
      applied: await migrateToLatest(db),
      newer: await newerMigrations(db),
      legacy: await importLegacyUploads(db, uploadsDir),
    }));
    if (newer.length > 0)
      console.log(
        `schema is ahead of this release (a newer one applied ${newer.join(', ')}): nothing to apply`,
      );
    else console.log(applied.length === 0 ? 'schema is up to date' : `applied: ${applied.join(', ')}`);
    if (legacy.imported > 0 || legacy.alreadyThere > 0)
      console.log(`uploads moved into the database: ${legacy.imported + legacy.alreadyThere}`);
    if (legacy.kept.length > 0)
      console.log(
        `uploads left on disk (not an image of that type, or the name holds other bytes): ${legacy.kept.join(', ')}`,
      );
  });

program
  .command('seed')
  .description('load the demo content (idempotent)')
  .action(async () => {
    await withDb((db) => seedDemo(db));
    console.log('demo content loaded');
  });

program
  .command('user-add')
  .description('create an account; the password is read from stdin, or generated and printed once')
  .requiredOption('--email <email>', 'email address (the login)')
  .addOption(new Option('--role <role>', 'role').choices(ROLES).makeOptionMandatory())
  .option('--name <name>', 'display name (default: the part of the email before @)')
  .action(async (options: { email: string; role: Role; name?: string }) => {
    const given = await readStdin();
    const password = given === '' ? randomBytes(18).toString('base64url') : given;
    if (password.length < 12 || password.length > 128)
      throw new Error('the password must be 12 to 128 characters long');
    const displayName = options.name ?? options.email.split('@')[0] ?? options.email;
    const user = await withDb((db) =>
      createUser(db, { email: options.email, password, displayName, role: options.role }),
    );
    console.log(`created ${user.role} ${user.email} (id ${user.id})`);
    if (given === '') console.log(`password (shown once): ${password}`);
  });

program
  .command('user-role')
  .description('give an existing account another role')
  .requiredOption('--email <email>', 'email address of the account')
  .addOption(new Option('--role <role>', 'role').choices(ROLES).makeOptionMandatory())
  .action(async (options: { email: string; role: Role }) => {
    const user = await withDb((db) => setRole(db, options.email, options.role));
    console.log(`${user.email} is now ${user.role}`);
  });

program
  .command('user-logout')
  .description('end every session of an account (every browser and API client it is logged in on)')
  .requiredOption('--email <email>', 'email address of the account')
  .action(async (options: { email: string }) => {
    const ended = await withDb((db) => logoutEverywhere(db, options.email));
    console.log(`ended ${ended} session(s) of ${options.email.trim().toLowerCase()}`);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
