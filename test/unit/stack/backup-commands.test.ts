import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { localHost } from '../../../src/stack/host/index.js';
import { archivesByAge, countDumpRows, pruneBackups } from '../../../src/stack/operations/backup/backup.js';
import {
  createTar,
  dumpDatabase,
  extractTar,
  loadDump,
} from '../../../src/stack/operations/backup/commands.js';

const cnf = '/var/lib/webstack/mariadb/my.cnf';
const sock = '/var/lib/webstack/run/mariadb/mariadb.sock';

test('the dump is one consistent transaction, one INSERT per row, into a file, of one database', () => {
  assert.deepEqual(dumpDatabase(cnf, sock, 'foobar', '/tmp/b/database.sql'), [
    'mariadb-dump',
    `--defaults-file=${cnf}`,
    `--socket=${sock}`,
    '--single-transaction',
    '--quick',
    '--skip-extended-insert',
    '--no-autocommit',
    '--routines',
    '--triggers',
    '--events',
    '--hex-blob',
    '--default-character-set=utf8mb4',
    '--result-file=/tmp/b/database.sql',
    '--',
    'foobar',
  ]);
});

test('the dump is loaded into a database named on the command line', () => {
  assert.deepEqual(loadDump(cnf, sock, 'foobar_restore_1'), [
    'mariadb',
    `--defaults-file=${cnf}`,
    `--socket=${sock}`,
    '--batch',
    '--default-character-set=utf8mb4',
    '--database=foobar_restore_1',
  ]);
});

test('tar argv: entries after --, gzip only when asked', () => {
  assert.deepEqual(createTar('/b/a.tar', '/s', ['uploads']), [
    'tar',
    '--create',
    '--file=/b/a.tar',
    '--directory=/s',
    '--',
    'uploads',
  ]);
  assert.equal(createTar('/b/a.partial', '/w', ['x'], { gzip: true }).includes('--gzip'), true);
  assert.deepEqual(extractTar('/b/a.tar.gz', '/w'), [
    'tar',
    '--extract',
    '--file=/b/a.tar.gz',
    '--directory=/w',
  ]);
});

test('row counts come from the dump: one INSERT line per row, empty tables counted as 0', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'webstack-dump-'));
  try {
    const dump = join(dir, 'd.sql');
    await writeFile(
      dump,
      [
        'CREATE TABLE `users` (',
        '  `id` int',
        ');',
        "INSERT INTO `users` VALUES (1,'a\\nINSERT INTO `users` VALUES (9)');",
        "INSERT INTO `users` VALUES (2,'b');",
        'CREATE TABLE `sessions` (',
        '  `id` int',
        ');',
        '',
      ].join('\n'),
    );
    assert.deepEqual(await countDumpRows(dump), { users: 2, sessions: 0 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('--keep prunes the oldest archives and their checksums, and nothing else', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'webstack-prune-'));
  try {
    const names = ['20261101-000000', '20261102-000000', '20261103-000000'].map(
      (s) => `webstack-backup-${s}.tar.gz`,
    );
    for (const name of [...names, 'mine.tar.gz']) {
      await writeFile(join(dir, name), 'x');
      await writeFile(join(dir, `${name}.sha256`), 'x');
    }
    assert.deepEqual(await pruneBackups(localHost, dir, 2), [names[0]]);
    assert.deepEqual((await readdir(dir)).sort(), [
      'mine.tar.gz',
      'mine.tar.gz.sha256',
      `${names[1]}`,
      `${names[1]}.sha256`,
      `${names[2]}`,
      `${names[2]}.sha256`,
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('archives sort by time, then by their same-second sequence number; other names are left out', () => {
  const names = [
    'webstack-backup-20261201-233227-1.tar.gz',
    'webstack-backup-20261201-233227-10.tar.gz',
    'mine.tar.gz',
    'webstack-backup-20261201-233228.tar.gz',
    'webstack-backup-20261201-233227.tar.gz',
    'webstack-backup-20261201-233227-2.tar.gz',
    'webstack-backup-20261201-233227.tar.gz.sha256',
  ];
  assert.deepEqual(archivesByAge(names), [
    'webstack-backup-20261201-233227.tar.gz',
    'webstack-backup-20261201-233227-1.tar.gz',
    'webstack-backup-20261201-233227-2.tar.gz',
    'webstack-backup-20261201-233227-10.tar.gz',
    'webstack-backup-20261201-233228.tar.gz',
  ]);
});
