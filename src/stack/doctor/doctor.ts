import { zoneFileCheck } from '../components/dns/checks/zone-file.js';
import { firewallCheck, hostFirewallInput } from '../components/firewall/index.js';
import { databaseCheck } from '../components/mariadb/checks/database.js';
import { nginxConfigCheck } from '../components/nginx/checks/config.js';
import { certificateCheck } from '../components/tls/checks/certificate.js';
import type { ResolvedConfig } from '../core/config/load.js';
import { statePaths } from '../core/paths.js';
import { localHost } from '../host/index.js';
import { ALERT_CHECKS } from '../metrics/alerts.js';
import { supervisorRunning } from '../supervisor/control/client.js';
import type { Check, Finding } from './check.js';
import { diskCheck } from './checks/disk.js';
import { dnsCheck } from './checks/dns.js';
import { packagesCheck } from './checks/packages.js';
import { peersCheck } from './checks/peers.js';
import { permissionsCheck } from './checks/permissions.js';
import { portsCheck } from './checks/ports.js';

export type { Check, Finding, Severity } from './check.js';

/**
 * Every check doctor runs, in the order it prints them: the host's (doctor/checks/), then each
 * component's own (components/<name>/checks/), then the alerts on the live numbers (metrics/).
 */
export const CHECKS: readonly Check[] = [
  packagesCheck,
  portsCheck,
  permissionsCheck,
  diskCheck,
  zoneFileCheck,
  nginxConfigCheck,
  databaseCheck,
  dnsCheck,
  certificateCheck,
  ...ALERT_CHECKS,
];

/** The checks of this machine: on a host of a cluster, also its firewall against its role's. */
function checksFor(config: ResolvedConfig): readonly Check[] {
  const { here, inventory } = config;
  if (inventory.single || here === null) return CHECKS;
  const ports = { app: config.app.port, db: config.database.port };
  const mine = CHECKS.filter((check) => !check.on || check.on.some((c) => here.components.includes(c)));
  return [
    ...mine,
    firewallCheck(localHost, hostFirewallInput(config) ?? { lbAddresses: [], appAddresses: [] }),
    peersCheck(here, ports),
  ];
}

export async function runChecks(config: ResolvedConfig): Promise<Finding[]> {
  const running = await supervisorRunning(statePaths(config.stateDir).control);
  const findings: Finding[] = [];
  for (const check of checksFor(config)) {
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
