/**
 * Starts the reference points beside the stack: a bare node:http server, a bare Fastify + mysql2
 * server, and an Nginx in front of both that also serves the static copy of an article page.
 * Every process is a child of the bench, stopped by its PID.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { run as nginxRun } from '../../src/stack/components/nginx/commands.js';
import { send } from '../http.js';
import { REFERENCE_PATHS, renderReferenceNginxConf } from './nginx-conf.js';

export interface ReferenceDb {
  socketPath?: string;
  host?: string;
  port?: number;
  user: string;
  password: string;
  database: string;
  connectionLimit: number;
}

export interface Reference {
  port: number;
  pids(): number[];
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('no free port');
  return address.port;
}

/** Run from the checkout (TypeScript, through tsx) or from the build (dist/bench: JavaScript, no tsx). */
const compiled = import.meta.url.endsWith('.js');

function startNode(name: string, env: Record<string, string>): Promise<ChildProcess> {
  const script = `./${name}.${compiled ? 'js' : 'ts'}`;
  const child = spawn(
    process.execPath,
    [...(compiled ? [] : ['--import', 'tsx']), fileURLToPath(new URL(script, import.meta.url))],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within 20 s`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(child.pid, 'SIGTERM');
  await Promise.race([exited, delay(5000)]);
  if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
}

export async function startReference(options: {
  dir: string;
  host: string;
  page: string;
  workers: number;
  db: ReferenceDb;
  /** The stack's active release's built assets: the reference's page links the same stylesheet. */
  assetsDir: string;
  /** A copy of the stack's static asset (same name, same bytes): the static ceiling on the same file size. */
  asset: { name: string; body: string };
}): Promise<Reference> {
  const { dir } = options;
  await mkdir(join(dir, 'static'), { recursive: true });
  // Nginx's workers run as nobody: they must reach the page.
  await chmod(dir, 0o755);
  await writeFile(join(dir, 'static', 'article.html'), options.page, { mode: 0o644 });
  await writeFile(join(dir, 'page.html'), options.page);
  await writeFile(join(dir, 'static', options.asset.name), options.asset.body, { mode: 0o644 });
  const [port, nodeHttpPort, fastifyPort] = [await freePort(), await freePort(), await freePort()];
  const { password, ...db } = options.db;
  const children: ChildProcess[] = [];
  const reference: Reference = {
    port,
    pids: () => children.flatMap((c) => (c.pid === undefined ? [] : [c.pid])),
    async stop() {
      await Promise.all(children.map(stopChild));
    },
  };
  try {
    const workers = String(options.workers);
    children.push(
      await startNode('node-http', {
        REF_PORT: String(nodeHttpPort),
        REF_WORKERS: workers,
        REF_PAGE: join(dir, 'page.html'),
      }),
    );
    children.push(
      await startNode('fastify-mysql', {
        REF_PORT: String(fastifyPort),
        REF_WORKERS: workers,
        REF_DB: JSON.stringify(db),
        REF_DB_PASSWORD: password,
        REF_ASSETS_DIR: options.assetsDir,
      }),
    );
    const conf = join(dir, 'nginx.conf');
    const text = renderReferenceNginxConf({
      serverName: options.host,
      host: '127.0.0.1',
      port,
      nodeHttpPort,
      fastifyPort,
      staticDir: join(dir, 'static'),
      dir,
    });
    await writeFile(conf, text);
    const [file, ...args] = nginxRun(conf, dir);
    const nginx = spawn(file, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(nginx);
    const target = { port, host: options.host };
    const deadline = Date.now() + 10_000;
    for (;;) {
      const reply = await send(target, 'GET', REFERENCE_PATHS.static).catch(() => null);
      if (reply?.status === 200) break;
      if (Date.now() > deadline || nginx.exitCode !== null)
        throw new Error('the reference nginx did not start');
      await delay(100);
    }
    return reference;
  } catch (error) {
    await reference.stop();
    throw error;
  }
}
