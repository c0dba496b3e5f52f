import { createServer, type IncomingMessage, type Server } from 'node:http';
import { isWebstackError } from '../../core/errors.js';
import type { Host } from '../../host/host.js';

export type ControlHandler = (body: unknown) => Promise<unknown>;

/**
 * The supervisor's control API: JSON over HTTP on a unix socket (0600). Routes are "METHOD /path".
 * Errors go back as { code, message, fix } so the CLI prints them like its own.
 */
export async function serveControl(
  host: Host,
  socketPath: string,
  routes: Record<string, ControlHandler>,
): Promise<Server> {
  const server = createServer(async (req, res) => {
    const handler = routes[`${req.method} ${req.url}`];
    res.setHeader('content-type', 'application/json');
    if (!handler) {
      res.writeHead(404).end(
        JSON.stringify({
          code: 'NOT_FOUND',
          message: `no route ${req.method} ${req.url}`,
          fix: 'upgrade the CLI and the running stack together',
        }),
      );
      return;
    }
    try {
      const result = await handler(await readJson(req));
      res.writeHead(200).end(JSON.stringify(result ?? {}));
    } catch (error) {
      const body = isWebstackError(error)
        ? { code: error.code, message: error.message, fix: error.fix }
        : {
            code: 'SUPERVISOR_ERROR',
            message: (error as Error).message,
            fix: 'see `webstack logs webstack`',
          };
      res.writeHead(500).end(JSON.stringify(body));
    }
  });
  await host.remove(socketPath);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  await host.chmod(socketPath, 0o600);
  return server;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}
