import { connect, createServer } from 'node:net';

/** Tries to bind host:port for an instant: the honest answer to "is this port free?". */
export async function portFree(
  host: string,
  port: number,
): Promise<{ free: boolean; reason: string | null }> {
  return await new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      resolve({ free: false, reason: error.code ?? error.message }),
    );
    server.listen({ host, port, exclusive: true }, () =>
      server.close(() => resolve({ free: true, reason: null })),
    );
  });
}

/** Whether host:port accepts a TCP connection within TIMEOUTMS (refused, unreachable or silent: false). */
export async function accepts(endpoint: { host: string; port: number }, timeoutMs = 3_000): Promise<boolean> {
  return await dial(endpoint, timeoutMs, 'connect');
}

/** A TCP connection to ENDPOINT that succeeds on SUCCESS ('connect', or the server's first bytes). */
async function dial(
  endpoint: { host: string; port: number },
  timeoutMs: number,
  success: 'connect' | 'data',
): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = connect({ port: endpoint.port, host: endpoint.host, timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once(success, () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
    socket.once('end', () => done(false));
  });
}

/**
 * Whether a MariaDB server answers at host:port: its greeting (the server speaks first) arrives
 * within TIMEOUTMS. Through a proxy this is the honest check: HAProxy accepts every connection, and
 * closes it at once when no server is behind it.
 */
export async function greets(endpoint: { host: string; port: number }, timeoutMs = 3_000): Promise<boolean> {
  return await dial(endpoint, timeoutMs, 'data');
}

/** The ports the stack binds on this machine, with what binds them. */
export function stackPorts(config: {
  http: { listen: string; port: number };
  app: { host: string; port: number };
  database: { mode: string; host?: string; port: number };
}): { name: string; key: string; host: string; port: number }[] {
  const ports = [
    { name: 'nginx', key: 'http.port', host: config.http.listen, port: config.http.port },
    { name: 'application server', key: 'app.port', host: config.app.host, port: config.app.port },
  ];
  if (config.database.mode === 'managed') {
    ports.push({
      name: 'mariadb',
      key: 'database.port',
      host: config.database.host ?? '127.0.0.1',
      port: config.database.port,
    });
  }
  return ports;
}
