import { holdsVip } from '../components/keepalived/conf.js';
import type { ResolvedConfig } from '../core/config/load.js';
import { isWebstackError } from '../core/errors.js';
import { parseAddresses } from '../core/ip-json.js';
import type { Finding } from '../doctor/check.js';
import {
  type ClusterHost,
  connectHosts,
  disconnect,
  hostLayout,
  operatorPaths,
  remoteWebstack,
} from './hosts.js';

/** Clocks further apart than this: TLS validity, Galera and the logs of several hosts disagree. */
export const CLOCK_SKEW_WARNING_MS = 1_000;

/**
 * `webstack doctor` across the inventory: every host's own doctor, run there, each finding under
 * the host's name; before them, what only the operator's machine can tell: whether the host
 * answers over SSH, and how far its clock is from this machine's.
 */
export async function clusterDoctor(config: ResolvedConfig): Promise<Finding[]> {
  const operator = operatorPaths(config);
  const layout = hostLayout(config);
  const hosts = connectHosts(config, operator);
  try {
    const perHost = await Promise.all(
      hosts.map(async (host): Promise<Finding[]> => {
        const skew = await clockSkew(host).catch((error: Error) => error);
        if (skew instanceof Error) return [sshFinding(host, skew)];
        const result = await host.ssh
          .run(remoteWebstack(layout, ['doctor', '--json']), { okCodes: [0, 1], timeoutMs: 120_000 })
          .catch((error: Error) => ({ code: 1, stdout: '', stderr: error.message }));
        let findings: Finding[];
        try {
          findings = JSON.parse(result.stdout) as Finding[];
        } catch {
          findings = [
            {
              title: 'webstack',
              severity: 'critical',
              detail: `doctor did not run there: ${(result.stderr || result.stdout).trim().split('\n').pop() ?? ''}`,
              fix: 'run `webstack up` (it installs webstack on every host)',
            },
          ];
        }
        const reached: Finding = {
          title: 'ssh',
          severity: 'ok',
          detail: `answers as ${host.plan.host.ssh?.user ?? 'root'}`,
          fix: null,
        };
        return [reached, clockFinding(skew), ...findings].map((finding) => ({
          ...finding,
          title: `${host.name}: ${finding.title}`,
        }));
      }),
    );
    const vip = config.inventory.vip;
    return vip === null ? perHost.flat() : [...perHost.flat(), await vipCheck(hosts, vip)];
  } finally {
    await disconnect(hosts);
  }
}

/**
 * The host's clock minus this machine's, in ms: the host's time against the middle of the round
 * trip that asked for it (the error is at most half the round trip).
 */
async function clockSkew(host: ClusterHost): Promise<number> {
  await host.ssh.run(['true']); // the connection is up: the round trip below is one command's
  const sent = Date.now();
  const { stdout } = await host.ssh.run(['date', '+%s%N']);
  const received = Date.now();
  const remoteMs = Number(BigInt(stdout.trim()) / 1_000_000n);
  return remoteMs - (sent + received) / 2;
}

export function clockFinding(skewMs: number): Finding {
  const seconds = (Math.abs(skewMs) / 1000).toFixed(1);
  const side = skewMs > 0 ? 'ahead of' : 'behind';
  if (Math.abs(skewMs) <= CLOCK_SKEW_WARNING_MS)
    return {
      title: 'clock',
      severity: 'ok',
      detail: `within ${CLOCK_SKEW_WARNING_MS / 1000} s of this machine's`,
      fix: null,
    };
  return {
    title: 'clock',
    severity: 'warning',
    detail: `${seconds} s ${side} this machine's clock`,
    fix: 'keep every host in time with NTP: `apt-get install -y systemd-timesyncd` (or chrony) on each',
  };
}

function sshFinding(host: ClusterHost, error: Error): Finding {
  return {
    title: `${host.name}: ssh`,
    severity: 'critical',
    detail: error.message,
    fix: isWebstackError(error) ? error.fix : 'check the host is up and its sshd answers',
  };
}

/** Asks each lb whether its interfaces hold VIP (an lb that does not answer holds nothing that serves). */
async function vipCheck(hosts: readonly ClusterHost[], vip: string): Promise<Finding> {
  const lbs = hosts.filter((host) => host.plan.host.roles.includes('lb'));
  const answers = await Promise.all(
    lbs.map(async (host) => {
      const result = await host.ssh.run(['ip', '-j', '-4', 'addr', 'show']).catch(() => null);
      return {
        host: host.name,
        holds: result === null ? null : holdsVip(parseAddresses(result.stdout), vip),
      };
    }),
  );
  return vipFinding(vip, answers);
}

/** Exactly one lb must hold the floating address: none is an unreachable site, two a split brain. */
export function vipFinding(
  vip: string,
  answers: readonly { host: string; holds: boolean | null }[],
): Finding {
  const holders = answers.filter((a) => a.holds === true).map((a) => a.host);
  const silent = answers.filter((a) => a.holds === null).map((a) => a.host);
  const unasked = silent.length > 0 ? ` (${silent.join(', ')} did not answer)` : '';
  if (holders.length === 1)
    return {
      title: 'floating address',
      severity: 'ok',
      detail: `${vip} is held by ${holders[0]}${unasked}`,
      fix: null,
    };
  if (holders.length === 0)
    return {
      title: 'floating address',
      severity: 'critical',
      detail: `no lb holds ${vip}${unasked}: the site's address answers nowhere`,
      fix: "check keepalived on the lbs: `webstack logs --host LB keepalived`, and that each lb's Nginx runs",
    };
  return {
    title: 'floating address',
    severity: 'critical',
    detail: `${holders.join(' and ')} both hold ${vip}: they do not hear each other's VRRP adverts`,
    fix: 'check the link between the lbs and that each accepts VRRP from the other (`nft list table inet webstack`)',
  };
}
