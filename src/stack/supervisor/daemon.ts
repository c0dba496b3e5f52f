import type { ResolvedConfig } from '../core/config/load.js';
import { isWebstackError, WebstackError } from '../core/errors.js';
import { statePaths } from '../core/paths.js';
import { localHost } from '../host/index.js';
import { MetricsService } from '../metrics/service.js';
import { Deployer } from '../operations/deploy/deployer.js';
import { runSiteCli } from '../operations/site-cli.js';
import { supervisorRunning } from './control/client.js';
import { route, serveControl } from './control/server.js';
import {
  DeployRequestSchema,
  DrainRequestSchema,
  GaleraBootstrapRequestSchema,
  GaleraRestartRequestSchema,
  MigrateRequestSchema,
  NoBodySchema,
  RollbackRequestSchema,
  SwitchRequestSchema,
  TlsRenewRequestSchema,
} from './control/types.js';
import { Stack } from './stack.js';

function log(line: string): void {
  console.log(`${new Date().toISOString()} ${line}`);
}

/**
 * The webstack supervisor: the long-running process that `webstack up` starts. It runs the stack's
 * components as its children (it is also the node:cluster primary of the application workers) and
 * answers the CLI on a unix socket. Exits after a stop request or SIGTERM, once everything stopped.
 */
export async function runDaemon(config: ResolvedConfig, options: { seed: boolean }): Promise<number> {
  const host = localHost;
  const paths = statePaths(config.stateDir);
  // One supervisor per state directory: a second would take over the first one's socket.
  if (await supervisorRunning(paths.control))
    throw new WebstackError('SUPERVISOR_ALREADY_RUNNING', paths.control);
  await host.mkdir(paths.run, { mode: 0o755 });
  await host.mkdir(paths.logs, { mode: 0o755 });
  const stack = new Stack(host, config, paths, log);
  const deployer = new Deployer(stack);
  const metrics = new MetricsService(host, config, paths, stack, log);
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      metrics.stop();
      await stack.stop();
      control.close();
      await host.remove(paths.supervisorPid);
    })();
    return stopping;
  };
  const control = await serveControl(host, paths.control, {
    'GET /status': route(NoBodySchema, async () => await stack.status()),
    'GET /metrics': route(NoBodySchema, async () => ({ url: metrics.url(), text: await metrics.render() })),
    'POST /deploy': route(DeployRequestSchema, async (body) => await deployer.deploy(body)),
    'POST /rollback': route(RollbackRequestSchema, async (body) => await deployer.rollback(body.by)),
    // Across hosts, the operator's rolling deploy and rollback drive each host with these.
    'POST /switch': route(
      SwitchRequestSchema,
      async (body) => await deployer.switchShipped(body.release, body.by),
    ),
    'POST /migrate': route(MigrateRequestSchema, async (body) => {
      const migrated = await runSiteCli(host, config, paths, ['migrate'], {
        role: 'migrator',
        release: body.release,
      });
      return { output: migrated.stdout.trim() };
    }),
    'GET /schema': route(NoBodySchema, async () => {
      if (!stack.runs('mariadb')) throw new WebstackError('DATABASE_NOT_HERE');
      return { applied: await deployer.appliedMigrations() };
    }),
    'GET /galera': route(NoBodySchema, async () => {
      const view = await stack.database.galeraView();
      if (!view) throw new WebstackError('GALERA_NOT_HERE');
      return view;
    }),
    'POST /galera/bootstrap': route(GaleraBootstrapRequestSchema, async (body) => {
      if (!stack.database.galera) throw new WebstackError('GALERA_NOT_HERE');
      return await stack.database.galera.bootstrap(body.force);
    }),
    'POST /galera/restart': route(
      GaleraRestartRequestSchema,
      async (body) => await stack.database.restartNode(body.drainMs),
    ),
    'POST /drain': route(DrainRequestSchema, async (body) => {
      if (!stack.nginx) throw new WebstackError('NGINX_NOT_HERE');
      return { drained: await stack.nginx.drain(body.hosts) };
    }),
    'GET /tls': route(NoBodySchema, async () => await stack.certificateStatus()),
    'POST /tls/renew': route(TlsRenewRequestSchema, async (body) => await stack.renewCertificate(body)),
    'POST /stop': route(NoBodySchema, async () => {
      setImmediate(() => void stop().then(() => process.exit(0)));
      return { pid: process.pid };
    }),
  });
  await host.writeAtomic(paths.supervisorPid, `${process.pid}\n`, { mode: 0o644 });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void stop().then(() => process.exit(0)));
  }
  try {
    await stack.start(options);
    await metrics.start();
    return await new Promise<number>(() => {}); // runs until stopped
  } catch (error) {
    log(
      `start-up failed: ${isWebstackError(error) ? `${error.code}: ${error.message} (fix: ${error.fix})` : (error as Error).stack}`,
    );
    await stop();
    return 1;
  }
}
