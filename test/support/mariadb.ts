/**
 * A real MariaDB server for tests: its own temp directory, data directory, socket and free port
 * on 127.0.0.1, started through the same services code `webstack up` uses. Each test file asks
 * for its own database (random names), so files can share one server side by side.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MariadbLayout } from '../../src/stack/components/mariadb/commands.js';
import {
  adminOverSocket,
  dropDatabase,
  initDataDir,
  type MariadbProcess,
  mariadbRunAs,
  provisionDatabase,
  startMariadb,
  waitForMariadb,
  writeConfig,
} from '../../src/stack/components/mariadb/index.js';
import type { MyCnfOptions } from '../../src/stack/components/mariadb/my-cnf.js';
import { statePaths } from '../../src/stack/core/paths.js';
import { localHost } from '../../src/stack/host/index.js';
import { freePort } from './ports.js';

export interface TestMariadb {
  socket: string;
  port: number;
  host: '127.0.0.1';
  /** Creates a fresh database + an app user (DML only) + a migrator user (ALL on it), returns creds. */
  createDatabase(prefix?: string): Promise<TestDatabase>;
  stop(): Promise<void>;
}

export interface TestDatabase {
  name: string;
  /** mysql://APPUSER@127.0.0.1:PORT/NAME (no password in it, as the site receives it). */
  url: string;
  appUser: string;
  appPassword: string;
  migratorUser: string;
  migratorPassword: string;
  /** mysql://MIGRATORUSER@127.0.0.1:PORT/NAME (no password). */
  migratorUrl: string;
  drop(): Promise<void>;
}

/** Test internals for the few tests that need the server process itself (crash recovery). */
export interface OwnedTestMariadb extends TestMariadb {
  dir: string;
  layout: MariadbLayout;
  process: MariadbProcess;
}

const READY_MS = 60_000;

function testServer(socket: string, port: number, stop: () => Promise<void>): TestMariadb {
  const admin = adminOverSocket(socket);
  return {
    socket,
    port,
    host: '127.0.0.1',
    stop,
    async createDatabase(prefix = 't') {
      const suffix = randomBytes(5).toString('hex');
      const name = `${prefix.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 40)}_${suffix}`;
      const spec = {
        database: name,
        appUser: `wsapp_${suffix}`,
        appPassword: randomBytes(18).toString('base64url'),
        migratorUser: `wsmig_${suffix}`,
        migratorPassword: randomBytes(18).toString('base64url'),
      };
      await provisionDatabase(admin, spec);
      return {
        name,
        url: `mysql://${spec.appUser}@127.0.0.1:${port}/${name}`,
        appUser: spec.appUser,
        appPassword: spec.appPassword,
        migratorUser: spec.migratorUser,
        migratorPassword: spec.migratorPassword,
        migratorUrl: `mysql://${spec.migratorUser}@127.0.0.1:${port}/${name}`,
        drop: () => dropDatabase(admin, spec),
      };
    },
  };
}

/**
 * Starts a private server in a fresh temp directory. Call stop() when done (it removes the directory).
 * `tls` (paths the mysql account can read) makes it offer TLS on TCP.
 */
export async function startTestMariadb(
  options: { tls?: MyCnfOptions['tls'] } = {},
): Promise<OwnedTestMariadb> {
  // Short path: the socket path must stay under 108 bytes.
  const dir = await mkdtemp(join(tmpdir(), 'wsdb-'));
  // mariadbd runs as `mysql` when we are root; it must be able to reach its files.
  await chmod(dir, 0o755);
  // The same layout `webstack up` uses under its state directory.
  const layout: MariadbLayout = statePaths(dir).mariadb;
  try {
    const runAs = await mariadbRunAs(localHost);
    const port = await freePort();
    await writeConfig(
      localHost,
      layout,
      {
        port,
        bindAddress: '127.0.0.1',
        bufferPoolMb: 64,
        maxConnections: 300,
        ...(options.tls ? { tls: options.tls } : {}),
      },
      runAs,
    );
    await initDataDir(localHost, layout, runAs);
    const server = startMariadb(localHost, layout.config, runAs);
    try {
      await waitForMariadb(layout.socket, READY_MS, { exited: server.exited, errorLog: layout.log });
    } catch (error) {
      await server.stop(10_000);
      throw error;
    }
    const stop = async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    };
    return { ...testServer(layout.socket, port, stop), dir, layout, process: server };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

let shared: Promise<TestMariadb> | undefined;

/**
 * The server for this test run: the one the test runner started (WEBSTACK_TEST_MARIADB_SOCKET
 * and _PORT; its stop() does nothing), or else a private one started once per process and
 * stopped when the process is about to exit.
 */
export async function sharedTestMariadb(): Promise<TestMariadb> {
  shared ??= connectOrStart();
  return await shared;
}

async function connectOrStart(): Promise<TestMariadb> {
  const socket = process.env.WEBSTACK_TEST_MARIADB_SOCKET;
  const port = Number(process.env.WEBSTACK_TEST_MARIADB_PORT);
  if (socket && Number.isInteger(port) && port > 0) return testServer(socket, port, async () => {});
  const server = await startTestMariadb();
  // The child must not keep the test process alive; when nothing else is left, stop it cleanly.
  server.process.child.unref();
  process.once('beforeExit', () => void server.stop());
  // Last resort if the process exits abruptly: no orphaned server, no leftover directory.
  process.once('exit', () => {
    if (server.process.child.exitCode === null && server.process.child.signalCode === null)
      server.process.child.kill('SIGKILL');
    rmSync(server.dir, { recursive: true, force: true });
  });
  return { ...server, stop: async () => {} };
}
