import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Static, TSchema } from 'typebox';
import Value from 'typebox/value';
import { isWebstackError, WebstackError } from '../../core/errors.js';
import type { Host } from '../../host/host.js';

/** A route of the control API: the schema its body must match, and what it does with that body. */
export interface ControlRoute<S extends TSchema = TSchema> {
  body: S;
  handle: (body: Static<S>) => Promise<unknown>;
}

/** Ties a handler to its body schema (so the handler's parameter has the schema's type). */
export function route<S extends TSchema>(
  body: S,
  handle: (body: Static<S>) => Promise<unknown>,
): ControlRoute {
  return { body, handle: handle as ControlRoute['handle'] };
}

type ValueError = ReturnType<typeof Value.Errors>[number];

const STATUS_OF: Record<string, number> = { BAD_REQUEST: 400, NOT_FOUND: 404 };

/**
 * The supervisor's control API: JSON over HTTP on a unix socket (0600). Routes are "METHOD /path".
 * A body that does not match the route's schema is answered 400 with a BAD_REQUEST naming the field.
 * Errors go back as { code, message, fix } so the CLI prints them like its own.
 */
export async function serveControl(
  host: Host,
  socketPath: string,
  routes: Record<string, ControlRoute>,
): Promise<Server> {
  const server = createServer(async (req, res) => {
    res.setHeader('content-type', 'application/json');
    try {
      const name = `${req.method} ${req.url}`;
      const target = routes[name];
      if (!target) throw new WebstackError('NOT_FOUND', String(req.method), String(req.url));
      const body = await readJson(req, name);
      if (!Value.Check(target.body, body)) {
        throw new WebstackError('BAD_REQUEST', describe(name, [...Value.Errors(target.body, body)][0]));
      }
      const result = await target.handle(body);
      res.writeHead(200).end(JSON.stringify(result ?? {}));
    } catch (error) {
      const coded = isWebstackError(error)
        ? error
        : new WebstackError('SUPERVISOR_ERROR', (error as Error).message, { cause: error });
      res
        .writeHead(STATUS_OF[coded.code] ?? 500)
        .end(JSON.stringify({ code: coded.code, message: coded.message, fix: coded.fix }));
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

async function readJson(req: IncomingMessage, name: string): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    throw new WebstackError('BAD_REQUEST', `${name}: the body is not JSON`);
  }
}

/** One line naming the field that is wrong, e.g. `POST /deploy: field "dir" must be string`. */
function describe(name: string, error: ValueError | undefined): string {
  if (!error) return `${name}: the body is not valid`;
  const field = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
  if (field === '') return `${name}: the body ${error.message}`;
  if (error.schemaPath.endsWith('additionalProperties')) return `${name}: field "${field}" is not allowed`;
  return `${name}: field "${field}" ${error.message}`;
}
