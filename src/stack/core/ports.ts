import { createServer } from 'node:net';

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
