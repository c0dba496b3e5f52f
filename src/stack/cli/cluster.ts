import { userInfo } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Listr } from 'listr2';
import { type ClusterDeployResult, clusterDeploy, clusterRollback } from '../cluster/deploy.js';
import { type Forwarded, fetchArchive, onRoleHost, sendArchive } from '../cluster/forward.js';
import { connectHosts, disconnect, hostLayout, operatorPaths, remoteWebstack } from '../cluster/hosts.js';
import {
  clusterDown,
  clusterHealthy,
  clusterStatus,
  describeVip,
  type HostStatus,
  vipHolders,
} from '../cluster/status.js';
import { clusterUp } from '../cluster/up.js';
import { hostsWith } from '../core/config/inventory.js';
import type { ResolvedConfig } from '../core/config/load.js';
import { WebstackError } from '../core/errors.js';
import { localHost } from '../host/index.js';
import { mergeExpositions } from '../metrics/merge.js';
import { verifyArchive } from '../operations/backup/backup.js';
import { type LogsOptions, logFiles, logOptions, showLogs } from './logs.js';
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
  const seed = options.seed !== false;
  if (process.stdout.isTTY) await upWithTaskList(config, seed);
  else await clusterUp(config, { seed, log: line });
  const statuses = await clusterStatus(config);
  const vip = config.inventory.vip;
  console.log(`\n${renderClusterStatus(statuses, vip)}\n`);
  const [lb] = hostsWith(config.inventory, 'lb');
  const front = vip ?? lb?.address;
  const port = config.http.port === 80 ? '' : `:${config.http.port}`;
  console.log(
    vip
      ? `www.${config.domain} is up at the floating address ${vip}`
      : `www.${config.domain} is up behind ${lb?.name} (${lb?.address})`,
  );
  console.log(`from this machine: curl -H 'Host: www.${config.domain}' http://${front}${port}/`);
  return clusterHealthy(statuses, vip) ? 0 : 1;
}

/**
 * `up` on a terminal: one task per host (and one for the build), all at once, each showing its
 * host's latest step and ticked off when that host is healthy.
 */
async function upWithTaskList(config: ResolvedConfig, seed: boolean): Promise<void> {
  type Step = { say: (text: string) => void; done: () => void; fail: (error: Error) => void };
  const steps = new Map<string, Step>();
  const early = new Map<string, string>();
  const names = ['build', ...config.inventory.hosts.map((host) => host.name)];
  const list = new Listr(
    names.map((name) => ({
      title: name === 'build' ? 'build the release' : `${name} (${hostsRoles(config, name)})`,
      task: (_: unknown, task: { output: string }) =>
        new Promise<void>((done, fail) => {
          steps.set(name, { say: (text) => (task.output = text), done, fail });
          const first = early.get(name);
          if (first) task.output = first;
        }),
      rendererOptions: { persistentOutput: true },
    })),
    { concurrent: true, exitOnError: false },
  );
  const shown = list.run();
  try {
    await clusterUp(config, {
      seed,
      log: (host, text) => {
        const step = steps.get(host);
        if (!step) early.set(host, text);
        step?.say(text);
        if (text === 'healthy' || text === 'already up') step?.done();
      },
    });
    for (const step of steps.values()) step.done();
  } catch (error) {
    for (const step of steps.values()) step.fail(error as Error);
    await shown.catch(() => {});
    throw error;
  }
  await shown;
}

function hostsRoles(config: ResolvedConfig, name: string): string {
  return config.inventory.hosts.find((host) => host.name === name)?.roles.join(', ') ?? '';
}

export async function clusterStatusVerb(
  config: ResolvedConfig,
  options: { json?: boolean },
): Promise<number> {
  const statuses = await clusterStatus(config);
  const vip = config.inventory.vip;
  const healthy = clusterHealthy(statuses, vip);
  console.log(
    options.json
      ? JSON.stringify(
          {
            healthy,
            ...(vip ? { vip: { address: vip, holders: vipHolders(statuses) } } : {}),
            hosts: statuses,
          },
          null,
          2,
        )
      : renderClusterStatus(statuses, vip),
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
export function renderClusterStatus(statuses: readonly HostStatus[], vip: string | null = null): string {
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
    ...(vip ? [describeVip(vip, vipHolders(statuses))] : []),
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
  const result = await interruptible((signal) =>
    clusterDeploy(config, {
      dir: resolve(options.args[0] ?? checkout),
      build: options.build,
      by: operator(),
      log: line,
      signal,
    }),
  );
  console.log(
    `deployed release ${result.release} (was ${result.from ?? '-'}) to every host in ${result.seconds.toFixed(1)}s`,
  );
  return 0;
}

/** `webstack rollback` across the hosts: the previous release, rolled out the same way. */
export async function clusterRollbackVerb(config: ResolvedConfig): Promise<number> {
  const result = await interruptible((signal) =>
    clusterRollback(config, { by: operator(), log: line, signal }),
  );
  console.log(
    `rolled back to release ${result.release} (was ${result.from ?? '-'}) on every host in ${result.seconds.toFixed(1)}s`,
  );
  return 0;
}

function operator(): string {
  return process.env.SUDO_USER ?? userInfo().username;
}

/**
 * A rollout under Ctrl-C: the first one lets it stop cleanly at its next step (hosts already
 * switched go back, every host back in the rotation); a second one quits at once.
 */
async function interruptible(
  run: (signal: AbortSignal) => Promise<ClusterDeployResult>,
): Promise<ClusterDeployResult> {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    console.log('stopping after this step and undoing the rollout (Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', onSignal);
  try {
    return await run(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
  }
}

/** A forwarded verb's output and exit code, as the host printed them. */
function relay(result: Forwarded): number {
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  return result.code;
}

/** `seed` and the `user` commands across hosts: the site's own CLI, on an app host. */
export function clusterSiteVerb(
  argv: (options: Record<string, string>) => string[],
  { readsPassword = false } = {},
) {
  return async (config: ResolvedConfig, options: Record<string, string>): Promise<number> =>
    relay(await onRoleHost(config, 'app', argv(options), { input: readsPassword ? await pipedInput() : '' }));
}

/** What was piped into this command (a password for `user add`), or nothing from a terminal. */
async function pipedInput(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `webstack backup [FILE]` across hosts: taken on the db host, kept there (`--keep` prunes there),
 * and a checked copy brought here, to FILE or `<operatorDir>/backups/`: a backup that lives only
 * on the database's host is lost with it.
 */
export async function clusterBackupVerb(
  config: ResolvedConfig,
  options: { keep?: string; args: string[] },
): Promise<number> {
  const operator = operatorPaths(config);
  const result = await onRoleHost(
    config,
    'db',
    ['backup', ...(options.keep ? ['--keep', options.keep] : [])],
    {
      after: async (host, answer) => {
        const remote = answer.stdout.match(/^backup written: (.+)$/m)?.[1];
        if (!remote) throw new WebstackError('CLUSTER_HOST_REFUSED', host.name, answer.stdout.trim());
        const local = resolve(options.args[0] ?? join(operator.dir, 'backups', basename(remote)));
        await localHost.mkdir(dirname(local), { mode: 0o700 });
        await fetchArchive(host, remote, local);
        return { remote, local };
      },
    },
  );
  const code = relay(result);
  if (result.after)
    console.log(`copied here: ${result.after.local} (checked; ${result.host} keeps ${result.after.remote})`);
  return code;
}

/** `webstack restore FILE` across hosts: the archive, checked here, onto the db host and restored there. */
export async function clusterRestoreVerb(
  config: ResolvedConfig,
  options: { args: string[] },
): Promise<number> {
  const file = options.args[0];
  if (!file)
    throw new WebstackError('BAD_OPTION', 'restore needs the archive to restore', 'webstack restore FILE');
  const local = resolve(file);
  await verifyArchive(localHost, local);
  const backups = hostLayout(config).paths.backups;
  // Onto the db host that restores it (with a cluster, a Synced node: Galera replicates the load).
  return relay(
    await onRoleHost(config, 'db', async (host) => ['restore', await sendArchive(host, local, backups)]),
  );
}

/**
 * `webstack logs` across hosts: the same logs of every host (or of `--host NAME`), each line
 * after its host's name; with --follow, all of them as they grow.
 */
export async function clusterLogsVerb(config: ResolvedConfig, options: LogsOptions): Promise<number> {
  const shown = logOptions(options);
  const files = logFiles(config, options.args?.[0]);
  const all = connectHosts(config, operatorPaths(config));
  const hosts = all.filter((host) => options.host === undefined || host.name === options.host);
  try {
    if (hosts.length === 0)
      throw new WebstackError('CLUSTER_UNKNOWN_HOST', options.host ?? '', all.map((h) => h.name).join(', '));
    // A host that does not answer is named; the others' logs still show.
    const codes = await Promise.all(
      hosts.map((host) =>
        showLogs(host.ssh, files, { ...shown, prefix: host.name }).catch((error: Error) => {
          console.error(`${host.name.padEnd(6)} ${error.message}`);
          return 1;
        }),
      ),
    );
    return codes.find((code) => code !== 0) ?? 0;
  } finally {
    await disconnect(all);
  }
}

/**
 * `webstack metrics` across hosts: every host's metrics as one exposition, each sample labelled
 * with its host; `--url` and `--token-file` print each host's own, after its name.
 */
export async function clusterMetricsVerb(
  config: ResolvedConfig,
  options: { url?: boolean; tokenFile?: boolean },
): Promise<number> {
  const layout = hostLayout(config);
  const hosts = connectHosts(config, operatorPaths(config));
  const args = ['metrics', ...(options.url ? ['--url'] : []), ...(options.tokenFile ? ['--token-file'] : [])];
  try {
    const answers = await Promise.all(
      hosts.map(async (host) => ({
        host: host.name,
        result: await host.ssh
          .run(remoteWebstack(layout, args), { okCodes: [0, 1], timeoutMs: 60_000 })
          .catch((error: Error) => ({ code: 1, stdout: '', stderr: error.message })),
      })),
    );
    const failed = answers.filter((a) => a.result.code !== 0);
    for (const { host, result } of failed)
      console.error(`${host}: ${result.stderr.trim().split('\n')[0] ?? 'no metrics'}`);
    const answered = answers.filter((a) => a.result.code === 0);
    if (options.url || options.tokenFile)
      for (const { host, result } of answered) console.log(`${host.padEnd(6)} ${result.stdout.trim()}`);
    else
      process.stdout.write(mergeExpositions(answered.map((a) => ({ host: a.host, text: a.result.stdout }))));
    return failed.length === 0 ? 0 : 1;
  } finally {
    await disconnect(hosts);
  }
}

/**
 * `webstack tls status` and `tls renew` across hosts: each lb's own answer, after its name. The
 * first lb issues; the others take its pair, so a renewal runs there first, then on the others,
 * which fetch the new pair at once.
 */
export async function clusterTlsVerb(config: ResolvedConfig, args: readonly string[]): Promise<number> {
  if (!config.https.acme) throw new WebstackError('ACME_NOT_CONFIGURED');
  const layout = hostLayout(config);
  const all = connectHosts(config, operatorPaths(config));
  const lbs = all.filter((host) => host.plan.host.roles.includes('lb'));
  try {
    let code = 0;
    // One after the other, the issuer first: a follower's renewal takes what the issuer has.
    for (const host of lbs) {
      const result = await host.ssh
        .run(remoteWebstack(layout, ['tls', ...args]), { okCodes: [0, 1, 2], timeoutMs: 600_000 })
        .catch((error: Error) => ({ code: 1, stdout: '', stderr: `${error.message}\n` }));
      const role =
        host.plan.certificates?.issuer.host === host.name
          ? 'issues'
          : `from ${host.plan.certificates?.issuer.host}`;
      console.log(`${host.name} (${role}):`);
      for (const line of `${result.stdout}${result.stderr}`.trimEnd().split('\n')) console.log(`  ${line}`);
      code = Math.max(code, result.code);
    }
    return code;
  } finally {
    await disconnect(all);
  }
}

export const clusterTlsStatusVerb = (config: ResolvedConfig, options: { json?: boolean }) =>
  clusterTlsVerb(config, ['status', ...(options.json ? ['--json'] : [])]);

export const clusterTlsRenewVerb = (config: ResolvedConfig, options: { force?: boolean }) =>
  clusterTlsVerb(config, ['renew', ...(options.force ? ['--force'] : [])]);
