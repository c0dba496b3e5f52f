import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { ResolvedConfig } from '../core/config/load.js';
import { WebstackError } from '../core/errors.js';
import { statePaths } from '../core/paths.js';
import { portFree, stackPorts } from '../core/ports.js';
import { localHost } from '../host/index.js';
import { ensurePackages } from '../operations/install/install.js';
import { callSupervisor, supervisorRunning } from '../supervisor/control/client.js';
import type { StackStatus } from '../supervisor/control/types.js';
import { isHealthy, renderStatus } from './status.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'webstack');

export async function upVerb(config: ResolvedConfig, options: { seed?: boolean }): Promise<number> {
  const paths = statePaths(config.stateDir);
  if (await supervisorRunning(paths.control)) {
    const status = await callSupervisor<StackStatus>(paths.control, 'GET', '/status');
    console.log(`webstack is already up\n\n${renderStatus(status)}`);
    return isHealthy(status) ? 0 : 1;
  }
  // Refuse before changing anything: a busy port would fail half-way through.
  for (const { name, key, host, port } of stackPorts(config)) {
    const { free, reason } = await portFree(host, port);
    if (!free) {
      const fix =
        reason === 'EACCES'
          ? `run webstack as root, or set "${key}" to a port above 1023`
          : `stop the program on that port (\`ss -ltnp 'sport = :${port}'\` shows it) or set "${key}" to another port`;
      throw new WebstackError('PORT_BUSY', host, port, name, String(reason), fix);
    }
  }
  const installed = await ensurePackages(localHost, {
    withTestTools: false,
    log: (line) => console.log(line),
  });
  if (installed.length > 0) console.log(`installed ${installed.join(', ')}`);

  await localHost.mkdir(paths.logs, { mode: 0o755 });
  await localHost.mkdir(paths.run, { mode: 0o755 });
  const args = [
    bin,
    ...(config.file ? ['--config', config.file] : []),
    'daemon',
    ...(options.seed === false ? ['--no-seed'] : []),
  ];
  const daemon = localHost.start([process.execPath, ...args], {
    detached: true,
    outputFile: paths.supervisorLog,
  });
  daemon.unref();
  const pid = daemon.pid ?? -1;
  console.log(`starting the supervisor (pid ${pid}); progress in ${paths.supervisorLog}`);

  const deadline = Date.now() + 600_000;
  let last = '';
  while (Date.now() < deadline) {
    if (!(await localHost.isAlive(pid))) {
      const reason = ((await localHost.readText(paths.supervisorLog)) ?? '')
        .split('\n')
        .reverse()
        .find((line) => line.includes('start-up failed: '))
        ?.replace(/^.*start-up failed: /, '');
      throw new WebstackError('UP_FAILED', reason ?? 'no reason logged', paths.supervisorLog);
    }
    const status = await callSupervisor<StackStatus & { phase?: string }>(
      paths.control,
      'GET',
      '/status',
      undefined,
      10_000,
    ).catch(() => null);
    if (status?.phase && status.phase !== last) {
      console.log(`  ${status.phase}`);
      last = status.phase;
    }
    if (status && isHealthy(status)) {
      console.log(`\n${renderStatus(status)}\n`);
      // The site serves either way (HTTP, or the certificate it had); the operator gets the coded line.
      const attempt = status.tls?.lastAttempt;
      if (attempt && !attempt.ok)
        console.error(`warning ${attempt.code}: ${attempt.message}\nfix: ${attempt.fix}`);
      console.log(`www.${config.domain} is up: ${status.url}`);
      console.log(
        status.url.startsWith('https://')
          ? `from this machine: curl --resolve www.${config.domain}:${config.https.port}:127.0.0.1 ${status.url}`
          : `from this machine: curl -H 'Host: www.${config.domain}' http://127.0.0.1${config.http.port === 80 ? '' : `:${config.http.port}`}/`,
      );
      return 0;
    }
    await delay(250);
  }
  throw new WebstackError('UP_TIMEOUT');
}
