/**
 * `webstack backup` and `webstack restore` on a running stack: a backup, then the database dropped
 * and an upload deleted, then a restore gives back identical tables (row counts and CHECKSUM TABLE)
 * and the upload; a truncated or tampered archive is refused with nothing changed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { adminOverSocket } from '../../src/stack/components/mariadb/index.js';
import { statePaths } from '../../src/stack/core/paths.js';
import { sha256File } from '../../src/stack/operations/backup/backup.js';
import { createTestStack, type TestStack } from '../support/stack.js';

describe('backup and restore', { timeout: 240_000 }, () => {
  let stack: TestStack;
  let archive = '';

  /** Every table's row count and CHECKSUM TABLE value. */
  async function fingerprint(): Promise<Record<string, string>> {
    const connection = await mysql.createConnection(
      adminOverSocket(statePaths(stack.stateDir).mariadb.socket),
    );
    try {
      const [tables] = await connection.query<RowDataPacket[]>(
        "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'foobar' ORDER BY 1",
      );
      const result: Record<string, string> = {};
      for (const { t } of tables) {
        const [[count]] = (await connection.query(`SELECT COUNT(*) AS n FROM foobar.\`${t}\``)) as [
          RowDataPacket[],
          unknown,
        ];
        const [[sum]] = (await connection.query(`CHECKSUM TABLE foobar.\`${t}\``)) as [
          RowDataPacket[],
          unknown,
        ];
        result[String(t)] = `${count?.n} rows, checksum ${sum?.Checksum}`;
      }
      return result;
    } finally {
      await connection.end();
    }
  }

  before(async () => {
    stack = await createTestStack({ metrics: { port: 0 } });
    const up = await stack.up();
    assert.equal(up.code, 0, up.stderr + up.stdout);
    await writeFile(join(stack.stateDir, 'uploads', 'kept.txt'), 'an uploaded file\n');
  });
  after(async () => {
    await stack?.destroy();
  });

  test('backup writes a checksummed archive; --keep prunes older ones', async () => {
    // backups/ as an older webstack made it: the next backup tightens it.
    await chmod(join(stack.stateDir, 'backups'), 0o755);
    const first = await stack.run(['backup', '--keep', '1']);
    assert.equal(first.code, 0, first.stderr);
    const second = await stack.run(['backup', '--keep', '1']);
    assert.equal(second.code, 0, second.stderr);
    archive = second.stdout.match(/backup written: (\S+)/)?.[1] ?? '';
    assert.ok(existsSync(archive), second.stdout);
    const [sum] = (await readFile(`${archive}.sha256`, 'utf8')).split(/\s+/);
    assert.equal(sum, await sha256File(archive));
    const archives = (await readdir(join(stack.stateDir, 'backups'))).filter((n) => n.endsWith('.tar.gz'));
    assert.equal(archives.length, 1, archives.join(' '));
  });

  test('backups/ is 0700 and each archive and its checksum 0600', async () => {
    const mode = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);
    assert.equal(await mode(join(stack.stateDir, 'backups')), '700');
    assert.equal(await mode(archive), '600');
    assert.equal(await mode(`${archive}.sha256`), '600');
  });

  test("as root, the release is root's and read-only, uploads the app account's, nginx's logs root's", {
    skip: process.getuid?.() !== 0 && 'needs root',
  }, async () => {
    const release = join(stack.stateDir, 'current', '');
    const find = (...args: string[]) => execFileSync('find', [release, ...args], { encoding: 'utf8' }).trim();
    assert.equal(
      find('!', '-type', 'l', '-perm', '/022'),
      '',
      'nothing in the release is group or other writable',
    );
    assert.equal(find('!', '-user', 'root'), '', 'everything in the release is root’s');
    const account = execFileSync('getent', ['passwd', 'webstack-app'], { encoding: 'utf8' })
      .trim()
      .split(':');
    assert.deepEqual(account.slice(5), ['/nonexistent', '/usr/sbin/nologin']);
    const uploads = await stat(join(stack.stateDir, 'uploads'));
    assert.deepEqual([uploads.uid, (uploads.mode & 0o777).toString(8)], [Number(account[2]), '755']);
    for (const log of ['nginx-access.log', 'nginx-error.log']) {
      assert.equal((await stat(join(stack.stateDir, 'logs', log))).uid, 0, log);
    }
  });

  test('a bad --keep or a missing archive is a one-line error', async () => {
    const keep = await stack.run(['backup', '--keep', 'zero']);
    assert.equal(keep.code, 1);
    assert.match(keep.stderr, /--keep zero/);
    const missing = await stack.run(['restore', join(stack.dir, 'nope.tar.gz')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /BACKUP_MISSING/);
  });

  test('after the database is dropped, restore brings back identical tables and the uploads', async () => {
    const before = await fingerprint();
    assert.ok(Object.keys(before).length >= 4, JSON.stringify(before));
    const connection = await mysql.createConnection(
      adminOverSocket(statePaths(stack.stateDir).mariadb.socket),
    );
    await connection.query('DROP DATABASE foobar');
    await connection.end();
    await rm(join(stack.stateDir, 'uploads', 'kept.txt'));
    const restored = await stack.run(['restore', archive]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.deepEqual(await fingerprint(), before);
    assert.equal(await readFile(join(stack.stateDir, 'uploads', 'kept.txt'), 'utf8'), 'an uploaded file\n');
  });

  test('a truncated archive is refused and nothing changes', async () => {
    const before = await fingerprint();
    const cut = join(stack.dir, 'cut.tar.gz');
    await copyFile(archive, cut);
    await copyFile(`${archive}.sha256`, `${cut}.sha256`);
    await truncate(cut, Math.floor((await stat(cut)).size / 2));
    const refused = await stack.run(['restore', cut]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /BACKUP_CORRUPT/);
    // Even with a checksum that matches the damage, the archive itself is refused.
    await writeFile(`${cut}.sha256`, `${await sha256File(cut)}  cut.tar.gz\n`);
    const unpacked = await stack.run(['restore', cut]);
    assert.equal(unpacked.code, 1);
    assert.match(unpacked.stderr, /BACKUP_INVALID/);
    assert.deepEqual(await fingerprint(), before);
  });
});
