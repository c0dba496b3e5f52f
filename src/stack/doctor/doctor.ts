import { Resolver } from 'node:dns/promises';
import { existsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { checkZone } from '../components/dns/index.js';
import { adminConnection, mariadbHealth } from '../components/mariadb/index.js';
import { testNginxConfig } from '../components/nginx/index.js';
import type { ResolvedConfig } from '../core/config/load.js';
import { statePaths } from '../core/paths.js';
import { portFree, stackPorts } from '../core/ports.js';
import { ALERT_CHECKS } from '../metrics/alerts.js';
import { STACK_PACKAGES } from '../operations/install/apt.js';
import { missingPackages } from '../operations/install/install.js';
import { supervisorRunning } from '../supervisor/control/client.js';

export type Severity = 'ok' | 'warning' | 'critical';

export interface Finding {
  title: string;
  severity: Severity;
  detail: string;
  fix: string | null;
}

/** A doctor check: data, not code paths (Ghost-CLI's doctor, made explicit). */
export interface Check {
  title: string;
  run(config: ResolvedConfig, context: { running: boolean }): Promise<Omit<Finding, 'title'>>;
}

const ok = (detail: string) => ({ severity: 'ok' as const, detail, fix: null });

export const CHECKS: readonly Check[] = [
  {
    title: 'Debian packages',
    async run() {
      const missing = await missingPackages(STACK_PACKAGES);
      return missing.length === 0
        ? ok('all installed')
        : {
            severity: 'critical',
            detail: `missing: ${missing.join(', ')}`,
            fix: `sudo apt-get install -y ${missing.join(' ')}`,
          };
    },
  },
  {
    title: 'ports',
    async run(config, { running }) {
      if (running) return ok('the stack is running and holds its ports');
      const busy = [];
      for (const p of stackPorts(config)) {
        const { free, reason } = await portFree(p.host, p.port);
        if (!free) busy.push(`${p.host}:${p.port} (${p.name}, ${reason})`);
      }
      return busy.length === 0
        ? ok('every port the stack needs is free')
        : {
            severity: 'critical',
            detail: `not available: ${busy.join(', ')}`,
            fix: 'stop what holds them (`ss -ltnp` shows it), run as root for ports < 1024, or choose other ports in the config',
          };
    },
  },
  {
    title: 'permissions',
    async run(config) {
      const needsRoot = config.http.port < 1024;
      if (needsRoot && process.getuid?.() !== 0) {
        return {
          severity: 'critical',
          detail: `port ${config.http.port} needs root`,
          fix: 'run webstack as root (sudo), or set http.port above 1023',
        };
      }
      const secrets = statePaths(config.stateDir).secrets;
      if (existsSync(secrets)) {
        const { statSync } = await import('node:fs');
        const mode = statSync(secrets).mode & 0o777;
        if (mode & 0o077)
          return {
            severity: 'critical',
            detail: `${secrets} has mode ${mode.toString(8)}`,
            fix: `chmod 600 ${secrets}`,
          };
      }
      return ok('secrets are 0600; privileges fit the ports');
    },
  },
  {
    title: 'disk',
    async run(config) {
      const dir = existsSync(config.stateDir) ? config.stateDir : '/';
      const fs = await statfs(dir);
      const free = fs.bavail / fs.blocks;
      const freeGiB = (fs.bavail * fs.bsize) / 2 ** 30;
      if (free < 0.05 || freeGiB < 1)
        return {
          severity: 'critical',
          detail: `${freeGiB.toFixed(1)} GiB free (${(free * 100).toFixed(0)}%) under ${dir}`,
          fix: 'free disk space: prune old backups (`webstack backup --keep 3`) and releases, or grow the disk',
        };
      if (free < 0.15)
        return {
          severity: 'warning',
          detail: `${freeGiB.toFixed(1)} GiB free (${(free * 100).toFixed(0)}%)`,
          fix: 'plan more disk space before the database grows',
        };
      return ok(`${freeGiB.toFixed(1)} GiB free (${(free * 100).toFixed(0)}%)`);
    },
  },
  {
    title: 'zone file',
    async run(config) {
      const file = statePaths(config.stateDir).dns.zone(config.domain);
      if (!existsSync(file))
        return {
          severity: 'warning',
          detail: 'not written yet',
          fix: 'run `webstack dns` (or `webstack up`)',
        };
      await checkZone(config.domain, file);
      return ok(`${file} accepted by named-checkzone`);
    },
  },
  {
    title: 'nginx -t',
    async run(config) {
      const paths = statePaths(config.stateDir);
      if (!existsSync(paths.nginx.config))
        return { severity: 'warning', detail: 'no config written yet', fix: 'run `webstack up`' };
      await testNginxConfig(paths.nginx.config, paths.nginx.prefix);
      return ok('the configuration is valid');
    },
  },
  {
    title: 'database',
    async run(config, { running }) {
      const health = await mariadbHealth(adminConnection(config));
      if (health.ok) return ok(`MariaDB ${health.version} answers, up ${health.uptimeSeconds}s`);
      return {
        severity: running || config.database.mode === 'external' ? 'critical' : 'warning',
        detail: `no answer: ${health.error}`,
        fix: running ? 'see `webstack logs mariadb`' : 'run `webstack up`',
      };
    },
  },
  {
    title: 'DNS',
    async run(config) {
      const name = config.siteHost;
      const local = Object.values(networkInterfaces())
        .flat()
        .map((i) => i?.address);
      const resolver = new Resolver({ timeout: 2000, tries: 1 });
      const addresses = await resolver.resolve4(name).catch((error: NodeJS.ErrnoException) => error);
      if (addresses instanceof Error)
        return {
          severity: 'warning',
          detail: `${name} does not resolve here (${addresses.code})`,
          fix: `create an A record ${name} → ${config.serverIp} at your DNS provider (\`webstack dns\` prints the zone)`,
        };
      if (!addresses.includes(config.serverIp))
        return {
          severity: 'warning',
          detail: `${name} resolves to ${addresses.join(', ')}, not serverIp ${config.serverIp}`,
          fix: `point the www record at ${config.serverIp}, or set serverIp to this server's public address`,
        };
      if (!local.includes(config.serverIp))
        return {
          severity: 'warning',
          detail: `${name} → ${config.serverIp}, but that address is not on this machine`,
          fix: "set serverIp to this server's public address, or check NAT/port forwarding",
        };
      return ok(`${name} → ${config.serverIp}, an address of this server`);
    },
  },
  ...ALERT_CHECKS,
];

export async function runChecks(config: ResolvedConfig): Promise<Finding[]> {
  const running = await supervisorRunning(statePaths(config.stateDir).control);
  const findings: Finding[] = [];
  for (const check of CHECKS) {
    try {
      findings.push({ title: check.title, ...(await check.run(config, { running })) });
    } catch (error) {
      const e = error as { message: string; fix?: string };
      findings.push({
        title: check.title,
        severity: 'critical',
        detail: e.message,
        fix: e.fix ?? 'see the detail',
      });
    }
  }
  return findings;
}
