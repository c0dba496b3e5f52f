/**
 * Uploads and `webstack backup` / `webstack restore` on a running stack. An image uploaded through
 * Nginx is a row of the database, served by the site and then from Nginx's disk cache. A backup,
 * then the database dropped and a legacy upload file (from before uploads were rows) deleted, then
 * a restore gives back identical tables (row counts and CHECKSUM TABLE), the uploaded image, and
 * the legacy file moved into the table; a truncated or tampered archive is refused with nothing changed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, cp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { type IncomingHttpHeaders, request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { adminOverSocket } from '../../src/stack/components/mariadb/index.js';
import { statePaths } from '../../src/stack/core/paths.js';
import { sha256File } from '../../src/stack/operations/backup/backup.js';
import { apiLogin, httpRequest, shownPassword } from '../support/nginx.js';
import { createTestStack, type TestStack } from '../support/stack.js';

// A valid 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
/** 9 MiB, under the 10 MiB default limit: one big row in the dump (hex, 18 MiB on one line) and back. */
const BIG_PNG = Buffer.concat([PNG, Buffer.alloc(9 * 1024 * 1024, 7)]);
/** A file an older release wrote to <stateDir>/uploads/. */
const LEGACY = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.png';
const checkout = fileURLToPath(new URL('../..', import.meta.url));
const mode = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Logs an admin in over the API and creates a product with IMAGE through the multipart form. */
async function createProductWithImage(stack: TestStack, image: Buffer): Promise<string> {
  const added = await stack.run(['user', 'add', '--email', 'shop@example.com', '--role', 'admin']);
  assert.equal(added.code, 0, added.stderr);
  const { cookie, csrfToken } = await apiLogin(
    { port: stack.httpPort },
    'shop@example.com',
    shownPassword(added.stdout),
  );
  const boundary = '----webstack-e2e';
  const field = (name: string, value: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const body = Buffer.concat([
    Buffer.from(
      field('name', 'Backed-up Lamp') +
        field('price', '10.00') +
        field('currency', 'EUR') +
        field('stock', '1'),
    ),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="lamp.png"\r\nContent-Type: image/png\r\n\r\n`,
    ),
    image,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const created = await httpRequest({
    port: stack.httpPort,
    path: '/products',
    method: 'POST',
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      cookie,
      'x-csrf-token': csrfToken,
    },
    body,
  });
  assert.equal(created.status, 303, created.body);
  const product = await httpRequest({ port: stack.httpPort, path: '/api/v1/products/backed-up-lamp' });
  const { imageUrl } = JSON.parse(product.body) as { imageUrl: string };
  assert.match(imageUrl, /^\/uploads\/[0-9a-f]{32}\.png$/);
  return imageUrl;
}

/** GET (or HEAD) through Nginx, the body kept as bytes. */
function fetchBytes(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        headers: { host: 'www.foobar.com', ...headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('uploads, backup and restore', { timeout: 300_000 }, () => {
  let stack: TestStack;
  let archive = '';
  let imageUrl = '';

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
    imageUrl = await createProductWithImage(stack, BIG_PNG);
    // Written after `up` migrated: still a file when the backup is taken, as in an older archive.
    await writeFile(join(stack.stateDir, 'uploads', LEGACY), PNG);
  });
  after(async () => {
    await stack?.destroy();
  });

  test('an uploaded image is a row, served by the site through Nginx, then from Nginx’s disk cache', async () => {
    const uploads = await readdir(join(stack.stateDir, 'uploads'));
    assert.deepEqual(uploads, [LEGACY], 'nothing of the upload stays on disk');
    const first = await fetchBytes(stack.httpPort, imageUrl);
    assert.equal(first.status, 200);
    assert.deepEqual(first.body, BIG_PNG);
    const etag = `"${sha256(BIG_PNG)}"`;
    assert.deepEqual(
      [
        'content-type',
        'content-length',
        'cache-control',
        'etag',
        'x-content-type-options',
        'x-cache-status',
      ].map((h) => first.headers[h]),
      ['image/png', String(BIG_PNG.length), 'public, max-age=31536000, immutable', etag, 'nosniff', 'MISS'],
    );
    assert.match(String(first.headers['content-security-policy']), /sandbox/);
    // Then Nginx answers without asking the site: the copy, HEAD, and 304 for the ETag.
    const second = await fetchBytes(stack.httpPort, imageUrl);
    assert.equal(second.headers['x-cache-status'], 'HIT');
    assert.deepEqual(second.body, BIG_PNG);
    assert.equal(second.headers.etag, etag);
    const head = await fetchBytes(stack.httpPort, imageUrl, {}, 'HEAD');
    assert.deepEqual([head.status, head.headers['x-cache-status']], [200, 'HIT']);
    const revalidated = await fetchBytes(stack.httpPort, imageUrl, { 'if-none-match': etag });
    assert.deepEqual([revalidated.status, revalidated.headers['x-cache-status']], [304, 'HIT']);
    const unknown = await fetchBytes(stack.httpPort, '/uploads/ffffffffffffffffffffffffffffffff.png');
    assert.equal(unknown.status, 404);
    const access = await readFile(join(stack.stateDir, 'logs', 'nginx-access.log'), 'utf8');
    const served = access
      .split('\n')
      .filter((line) => line.includes(imageUrl))
      .map((line) => (JSON.parse(line) as { upstream_status: string }).upstream_status);
    assert.deepEqual(served, ['200', '', '', ''], 'the site served the file once; Nginx the rest');
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
      // Not nginx's own 0644: the supervisor makes them before nginx opens them.
      assert.equal(await mode(join(stack.stateDir, 'logs', log)), '640', log);
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

  test('after the database is dropped, restore brings back identical tables and the uploads, old files into the table', async () => {
    const before = await fingerprint();
    assert.ok(Object.keys(before).length >= 4, JSON.stringify(before));
    assert.match(before.uploads ?? '', /^1 rows/);
    const connection = await mysql.createConnection(
      adminOverSocket(statePaths(stack.stateDir).mariadb.socket),
    );
    await connection.query('DROP DATABASE foobar');
    await connection.end();
    await rm(join(stack.stateDir, 'uploads', LEGACY));
    const restored = await stack.run(['restore', archive]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /uploads moved into the database: 1/);
    const after = await fingerprint();
    // Identical, but for the legacy file that the restore's migrate moved into the table.
    assert.deepEqual({ ...after, uploads: '' }, { ...before, uploads: '' });
    assert.match(after.uploads ?? '', /^2 rows/);
    const check = await mysql.createConnection(adminOverSocket(statePaths(stack.stateDir).mariadb.socket));
    const [rows] = await check.query<RowDataPacket[]>(
      'SELECT name, SHA2(data, 256) AS sum FROM foobar.uploads ORDER BY name',
    );
    await check.end();
    assert.deepEqual(
      rows.map((r) => [r.name, r.sum]),
      [
        [LEGACY, sha256(PNG)],
        [imageUrl.slice('/uploads/'.length), sha256(BIG_PNG)],
      ].sort(),
    );
    assert.deepEqual(await readdir(join(stack.stateDir, 'uploads')), []);
    const legacy = await fetchBytes(stack.httpPort, `/uploads/${LEGACY}`);
    assert.deepEqual([legacy.status, legacy.headers['x-cache-status']], [200, 'MISS']);
    assert.deepEqual(legacy.body, PNG);
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

  test('the backup a deploy takes is private too: backups/ 0700, the archive and its checksum 0600', async () => {
    // backups/ as an older webstack made it: the deploy's backup tightens it.
    await chmod(join(stack.stateDir, 'backups'), 0o755);
    // The checkout's build, as a release directory (dependencies are installed by the deploy).
    const dir = join(stack.dir, 'release-deployed');
    for (const item of ['dist', 'package.json', 'package-lock.json'])
      await cp(join(checkout, item), join(dir, item), { recursive: true });
    const deployed = await stack.run(['deploy', '--no-build', dir]);
    assert.equal(deployed.code, 0, deployed.stderr);
    const taken = deployed.stdout.match(/database backed up to (\S+)/)?.[1] ?? '';
    assert.ok(existsSync(taken), deployed.stdout);
    assert.equal(await mode(join(stack.stateDir, 'backups')), '700');
    assert.equal(await mode(taken), '600');
    assert.equal(await mode(`${taken}.sha256`), '600');
  });
});
