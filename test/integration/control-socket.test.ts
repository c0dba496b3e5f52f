/**
 * The supervisor's control socket checks every request body against its route's TypeBox schema:
 * a bad body is answered 400 with one BAD_REQUEST line naming the field, and the handler never runs.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { WebstackError } from '../../src/stack/core/errors.js';
import { localHost } from '../../src/stack/host/index.js';
import { callSupervisor } from '../../src/stack/supervisor/control/client.js';
import { route, serveControl } from '../../src/stack/supervisor/control/server.js';
import {
  DeployRequestSchema,
  NoBodySchema,
  RollbackRequestSchema,
} from '../../src/stack/supervisor/control/types.js';

const handled: unknown[] = [];
const dir = await mkdtemp(join(tmpdir(), 'webstack-control-'));
const socket = join(dir, 'control.sock');
const server = await serveControl(localHost, socket, {
  'GET /status': route(NoBodySchema, async () => ({ ok: true })),
  'POST /deploy': route(DeployRequestSchema, async (body) => {
    handled.push(body);
    return { release: 'r1', dir: body.dir };
  }),
  'POST /rollback': route(RollbackRequestSchema, async (body) => {
    handled.push(body);
    return { by: body.by };
  }),
});
after(async () => {
  server.close();
  await rm(dir, { recursive: true, force: true });
});

/** POSTs raw text, to see the status code and body the server answers with. */
function post(path: string, text: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method: 'POST', path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
      );
    });
    req.on('error', reject);
    req.end(text);
  });
}

test('a body that matches the schema reaches the handler', async () => {
  const body = { dir: '/srv/site', build: false, by: 'ops' };
  assert.deepEqual(await callSupervisor(socket, 'POST', '/deploy', body), {
    release: 'r1',
    dir: '/srv/site',
  });
  assert.deepEqual(handled.at(-1), body);
  assert.deepEqual(await callSupervisor(socket, 'GET', '/status'), { ok: true });
});

test('a field of the wrong type is answered 400, naming the field; the handler does not run', async () => {
  const count = handled.length;
  const answer = await post('/deploy', JSON.stringify({ dir: 42, build: false, by: 'ops' }));
  assert.equal(answer.status, 400);
  assert.deepEqual(answer.body, {
    code: 'BAD_REQUEST',
    message: 'POST /deploy: field "dir" must be string',
    fix: 'upgrade the CLI and the stack together',
  });
  assert.equal(handled.length, count);
});

test('the CLI side reads a bad body answer as a coded error', async () => {
  await assert.rejects(callSupervisor(socket, 'POST', '/rollback', { by: '' }), (error: unknown) => {
    assert.ok(error instanceof WebstackError);
    assert.equal(error.code, 'BAD_REQUEST');
    assert.equal(error.message, 'POST /rollback: field "by" must not have fewer than 1 characters');
    return true;
  });
});

test('a missing field, an unknown field and a body that is not JSON are refused too', async () => {
  const missing = await post('/rollback', '{}');
  assert.equal(missing.status, 400);
  assert.match(
    (missing.body as { message: string }).message,
    /^POST \/rollback: the body must have required properties by$/,
  );
  const extra = await post('/rollback', JSON.stringify({ by: 'ops', force: true }));
  assert.equal((extra.body as { message: string }).message, 'POST /rollback: field "force" is not allowed');
  const garbage = await post('/deploy', '{not json');
  assert.equal(garbage.status, 400);
  assert.equal((garbage.body as { message: string }).message, 'POST /deploy: the body is not JSON');
});

test('an unknown route is answered 404 NOT_FOUND', async () => {
  const answer = await post('/nope', '{}');
  assert.equal(answer.status, 404);
  assert.equal((answer.body as { code: string }).code, 'NOT_FOUND');
});
