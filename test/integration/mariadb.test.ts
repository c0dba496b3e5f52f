import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import {
  adminOverSocket,
  initDataDir,
  mariadbHealth,
  mariadbRunAs,
  provisionDatabase,
  startMariadb,
  waitForMariadb,
  writeConfig,
} from '../../src/stack/components/mariadb/index.js';
import { statePaths } from '../../src/stack/core/paths.js';
import { localHost } from '../../src/stack/host/index.js';
import { dumpDatabase, loadDump } from '../../src/stack/operations/backup/commands.js';
import { type OwnedTestMariadb, startTestMariadb, type TestDatabase } from '../support/mariadb.js';

async function connect(server: OwnedTestMariadb, user: string, password: string, database: string) {
  return await mysql.createConnection({ host: '127.0.0.1', port: server.port, user, password, database });
}

async function grantsOf(server: OwnedTestMariadb, user: string): Promise<string[]> {
  const admin = await mysql.createConnection(adminOverSocket(server.socket));
  try {
    const all: string[] = [];
    for (const host of ['localhost', '127.0.0.1']) {
      const [rows] = await admin.query<RowDataPacket[]>('SHOW GRANTS FOR ?@?', [user, host]);
      all.push(...rows.map((row) => String(Object.values(row)[0])));
    }
    return all.sort();
  } finally {
    await admin.end();
  }
}

describe('provisioned database on a real MariaDB', () => {
  let server: OwnedTestMariadb;
  let db: TestDatabase;
  const specOf = (d: TestDatabase) => ({
    database: d.name,
    appUser: d.appUser,
    appPassword: d.appPassword,
    migratorUser: d.migratorUser,
    migratorPassword: d.migratorPassword,
  });

  before(async () => {
    server = await startTestMariadb();
    db = await server.createDatabase('prov');
  });
  after(async () => {
    await server?.stop();
  });

  test('the migrator can create tables; the app can read and write rows but not change the schema', async (t) => {
    const migrator = await connect(server, db.migratorUser, db.migratorPassword, db.name);
    t.after(() => migrator.end());
    await migrator.query(
      'CREATE TABLE notes (id INT PRIMARY KEY AUTO_INCREMENT, body VARCHAR(100) NOT NULL)',
    );

    const app = await connect(server, db.appUser, db.appPassword, db.name);
    t.after(() => app.end());
    await app.query('INSERT INTO notes (body) VALUES (?)', ['héllo 👋']);
    await app.query('UPDATE notes SET body = ? WHERE id = 1', ['hello 👋']);
    const [rows] = await app.query<RowDataPacket[]>('SELECT body FROM notes');
    assert.deepEqual(rows, [{ body: 'hello 👋' }]);

    await assert.rejects(app.query('CREATE TABLE evil (id INT)'), { code: 'ER_TABLEACCESS_DENIED_ERROR' });
    await assert.rejects(app.query('DROP TABLE notes'), { code: 'ER_TABLEACCESS_DENIED_ERROR' });
    await assert.rejects(app.query('ALTER TABLE notes ADD COLUMN x INT'), {
      code: 'ER_TABLEACCESS_DENIED_ERROR',
    });
    await assert.rejects(app.query('SELECT * FROM mysql.user'), { code: 'ER_TABLEACCESS_DENIED_ERROR' });
  });

  test('the database defaults to utf8mb4 and the server is in strict mode', async (t) => {
    const app = await connect(server, db.appUser, db.appPassword, db.name);
    t.after(() => app.end());
    const [rows] = await app.query<RowDataPacket[]>(
      'SELECT @@character_set_database AS charset, @@GLOBAL.sql_mode AS mode',
    );
    assert.equal(rows[0]?.charset, 'utf8mb4');
    assert.match(String(rows[0]?.mode), /STRICT_TRANS_TABLES/);
  });

  test('provisioning again changes nothing', async () => {
    const before = [...(await grantsOf(server, db.appUser)), ...(await grantsOf(server, db.migratorUser))];
    await provisionDatabase(adminOverSocket(server.socket), specOf(db));
    const afterAgain = [
      ...(await grantsOf(server, db.appUser)),
      ...(await grantsOf(server, db.migratorUser)),
    ];
    assert.deepEqual(afterAgain, before);
    assert.ok(before.some((line) => /GRANT SELECT, INSERT, UPDATE, DELETE ON `prov_\w+`\.\*/.test(line)));
    assert.equal(
      before.some((line) => /WITH GRANT OPTION/.test(line)),
      false,
    );
  });

  test('a changed password takes effect and the old one stops working', async () => {
    const rotated = { ...specOf(db), appPassword: `n3w'"\\pw-${Date.now()}` };
    await provisionDatabase(adminOverSocket(server.socket), rotated);
    await assert.rejects(connect(server, db.appUser, db.appPassword, db.name), {
      // 1045 or 1698: which one depends on how MariaDB negotiated the auth plugin.
      message: /^Access denied for user/,
    });
    const app = await connect(server, db.appUser, rotated.appPassword, db.name);
    await app.end();
    await provisionDatabase(adminOverSocket(server.socket), specOf(db));
  });

  test('extra privileges granted to the app account by hand are taken away', async () => {
    const admin = await mysql.createConnection(adminOverSocket(server.socket));
    await admin.query(`GRANT CREATE, DROP ON \`${db.name}\`.* TO ?@?`, [db.appUser, '127.0.0.1']);
    await admin.query('GRANT SELECT ON mysql.* TO ?@?', [db.appUser, 'localhost']);
    await admin.end();
    await provisionDatabase(adminOverSocket(server.socket), specOf(db));
    const grants = await grantsOf(server, db.appUser);
    assert.equal(
      grants.some((line) => /CREATE|DROP|`mysql`/.test(line)),
      false,
      grants.join('\n'),
    );
    assert.equal(grants.filter((line) => /GRANT SELECT, INSERT, UPDATE, DELETE ON/.test(line)).length, 2);
  });

  test('bad names are refused before any SQL is sent', async () => {
    await assert.rejects(
      provisionDatabase(adminOverSocket(server.socket), {
        ...specOf(db),
        database: 'x`; DROP DATABASE mysql; --',
      }),
      {
        code: 'DB_NAME_INVALID',
      },
    );
    await assert.rejects(
      provisionDatabase(adminOverSocket(server.socket), { ...specOf(db), appUser: "a'@'%" }),
      { code: 'DB_USER_INVALID' },
    );
  });

  test('health reports version and uptime; a missing socket is unhealthy, not an exception', async () => {
    const health = await mariadbHealth(server.socket);
    assert.equal(health.ok, true);
    assert.match(health.version ?? '', /MariaDB/);
    assert.ok(Number.isInteger(health.uptimeSeconds) && (health.uptimeSeconds ?? -1) >= 0);
    const down = await mariadbHealth(join(server.dir, 'nope.sock'));
    assert.equal(down.ok, false);
    assert.match(down.error ?? '', /ENOENT/);
  });

  test('initialising an initialised data directory is a no-op', async () => {
    assert.equal(await initDataDir(localHost, server.layout, await mariadbRunAs(localHost)), false);
  });

  test('a dump restores the rows it was taken from', async (t) => {
    const migrator = await connect(server, db.migratorUser, db.migratorPassword, db.name);
    t.after(() => migrator.end());
    await migrator.query('CREATE TABLE kept (id INT PRIMARY KEY, label VARCHAR(20) NOT NULL)');
    await migrator.query("INSERT INTO kept VALUES (1, 'one'), (2, 'zwei ✓')");
    // The builders `webstack backup` and `webstack restore` use.
    const file = join(server.dir, 'kept.sql');
    t.after(() => rm(file, { force: true }));
    await localHost.run(dumpDatabase(server.layout.config, server.socket, db.name, file));
    const dumped = await readFile(file, 'utf8');
    assert.match(dumped, /CREATE TABLE `kept`/);
    await migrator.query('DROP TABLE kept');
    await localHost.run(loadDump(server.layout.config, server.socket, db.name), { input: dumped });
    const [rows] = await migrator.query<RowDataPacket[]>('SELECT id, label FROM kept ORDER BY id');
    assert.deepEqual(rows, [
      { id: 1, label: 'one' },
      { id: 2, label: 'zwei ✓' },
    ]);
  });

  test('a database can be dropped with its accounts', async () => {
    const temp = await server.createDatabase('gone');
    await temp.drop();
    await assert.rejects(connect(server, temp.appUser, temp.appPassword, temp.name), {
      // 1045 or 1698: which one depends on how MariaDB negotiated the auth plugin.
      message: /^Access denied for user/,
    });
  });
});

describe('the server process', () => {
  let server: OwnedTestMariadb;
  before(async () => {
    server = await startTestMariadb();
  });
  after(async () => {
    await server?.stop();
  });

  test('after a SIGKILL the server restarts on the same data directory with committed rows intact', async () => {
    const db = await server.createDatabase('crash');
    const migrator = await connect(server, db.migratorUser, db.migratorPassword, db.name);
    await migrator.query('CREATE TABLE orders (id INT PRIMARY KEY, total INT NOT NULL) ENGINE=InnoDB');
    await migrator.end();
    const app = await connect(server, db.appUser, db.appPassword, db.name);
    await app.beginTransaction();
    await app.query('INSERT INTO orders VALUES (1, 100), (2, 200)');
    await app.commit();
    await app.beginTransaction();
    await app.query('INSERT INTO orders VALUES (3, 300)'); // never committed
    server.process.child.kill('SIGKILL');
    assert.equal((await server.process.exited).signal, 'SIGKILL');
    app.destroy();

    const restarted = startMariadb(localHost, server.layout.config, await mariadbRunAs(localHost));
    server.process = restarted; // so the after() hook stops this one
    await waitForMariadb(server.socket, 120_000, { exited: restarted.exited, errorLog: server.layout.log });
    const again = await connect(server, db.appUser, db.appPassword, db.name);
    const [rows] = await again.query<RowDataPacket[]>('SELECT id, total FROM orders ORDER BY id');
    await again.end();
    assert.deepEqual(rows, [
      { id: 1, total: 100 },
      { id: 2, total: 200 },
    ]);
  });

  test('stop() shuts the server down cleanly', async () => {
    const exit = await server.process.stop();
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.match(await readFile(server.layout.log, 'utf8'), /Shutdown complete/);
    assert.equal((await mariadbHealth(server.socket)).ok, false);
  });

  test('waiting fails fast, quoting the error log, when mariadbd cannot start', async () => {
    const bad = join(server.dir, 'bad.cnf');
    await writeFile(
      bad,
      `[mariadbd]\ndatadir = ${server.layout.data}\nlog-error = ${server.layout.log}\nno-such-option = 1\n`,
    );
    const broken = startMariadb(localHost, bad, await mariadbRunAs(localHost));
    await assert.rejects(
      waitForMariadb(join(server.dir, 'bad.sock'), 60_000, {
        exited: broken.exited,
        errorLog: server.layout.log,
      }),
      {
        code: 'MARIADB_NOT_READY',
        message: /mariadbd exited .*no-such-option/,
      },
    );
  });
});

// Like the whole suite, this runs as root (the stack's services need it): never skipped.
test('a state directory the mysql account cannot enter is reported with the fix', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'wsdb-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await chmod(dir, 0o700);
  const layout = statePaths(join(dir, 'state')).mariadb;
  await assert.rejects(
    writeConfig(
      localHost,
      layout,
      { port: 3307, bindAddress: '127.0.0.1', collation: 'utf8mb4_unicode_ci' },
      await mariadbRunAs(localHost),
    ),
    {
      code: 'MARIADB_PATH_UNREACHABLE',
      message: new RegExp(`cannot enter ${dir}$`),
    },
  );
});
