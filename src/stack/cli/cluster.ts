import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterDeploy } from '../cluster/deploy.js';
import { clusterDown, clusterHealthy, clusterStatus, type HostStatus } from '../cluster/status.js';
import { clusterUp } from '../cluster/up.js';
import { hostsWith } from '../core/config/inventory.js';
import type { ResolvedConfig } from '../core/config/load.js';
import { WebstackError } from '../core/errors.js';
import { table } from './output.js';
import { componentRow } from './status.js';

/** True on the operator's machine of a cluster: the config names hosts and this machine is none of them. */
export function drivesCluster(config: ResolvedConfig): boolean {
  return !config.inventory.single && config.here === null;
}

/** A verb that has no cluster form yet, run with an operator's config. */
export function notAcrossHosts(verb: string): never {
  throw new WebstackError(
    'CLUSTER_VERB_NOT_YET',
    verb,
    `webstack --config /var/lib/webstack/host.json ${verb}`,
  );
}

/** The checkout this CLI runs from (dist/stack/cli/ → the repository root): the default code base. */
const checkout = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const line = (host: string, text: string) => console.log(`${host.padEnd(6)} ${text}`);

export async function clusterUpVerb(config: ResolvedConfig, options: { seed?: boolean }): Promise<number> {
  await clusterUp(config, { seed: options.seed !== false, log: line });
  const statuses = await clusterStatus(config);
  console.log(`\n${renderClusterStatus(statuses)}\n`);
  const [lb] = hostsWith(config.inventory, 'lb');
  const port = config.http.port === 80 ? '' : `:${config.http.port}`;
  console.log(`www.${config.domain} is up behind ${lb?.name} (${lb?.address})`);
  console.log(`from this machine: curl -H 'Host: www.${config.domain}' http://${lb?.address}${port}/`);
  return clusterHealthy(statuses) ? 0 : 1;
}

export async function clusterStatusVerb(
  config: ResolvedConfig,
  options: { json?: boolean },
): Promise<number> {
  const statuses = await clusterStatus(config);
  const healthy = clusterHealthy(statuses);
  console.log(
    options.json ? JSON.stringify({ healthy, hosts: statuses }, null, 2) : renderClusterStatus(statuses),
  );
  return healthy ? 0 : 1;
}

export async function clusterDownVerb(config: ResolvedConfig): Promise<number> {
  const failed = await clusterDown(config, line);
  if (failed.length > 0) {
    console.log(
      `not stopped: ${failed.join(', ')} (see above); run \`webstack down\` again once they answer`,
    );
    return 1;
  }
  console.log('every host is down');
  return 0;
}

/** One table of host × component. */
export function renderClusterStatus(statuses: readonly HostStatus[]): string {
  const rows: string[][] = [];
  for (const { host, address, roles, status } of statuses) {
    if (!status.running) {
      rows.push([
        host,
        address,
        roles.join(','),
        '-',
        'down',
        '-',
        'DOWN',
        '-',
        '-',
        '-',
        status.reason ?? '',
      ]);
      continue;
    }
    for (const c of status.components) rows.push([host, address, roles.join(','), ...componentRow(c)]);
  }
  const releases = [...new Set(statuses.flatMap((s) => (s.status.running ? [s.status.release ?? '-'] : [])))];
  return [
    `release ${releases.join(', ') || '-'}`,
    '',
    table(
      [
        'HOST',
        'ADDRESS',
        'ROLES',
        'COMPONENT',
        'STATE',
        'PID',
        'HEALTH',
        'VERSION',
        'UPTIME',
        'RESTARTS',
        'DETAIL',
      ],
      rows,
    ),
  ].join('\n');
}

/** `webstack deploy [DIR]` across the hosts: a rolling deploy, one app host at a time. */
export async function clusterDeployVerb(
  config: ResolvedConfig,
  options: { build: boolean; args: string[] },
): Promise<number> {
  const result = await clusterDeploy(config, {
    dir: resolve(options.args[0] ?? checkout),
    build: options.build,
    by: process.env.SUDO_USER ?? userInfo().username,
    log: line,
  });
  console.log(
    `deployed release ${result.release} (was ${result.from ?? '-'}) to every host in ${result.seconds.toFixed(1)}s`,
  );
  return 0;
}
