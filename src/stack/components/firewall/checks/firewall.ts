import { WebstackError } from '../../../core/errors.js';
import { type Check, ok } from '../../../doctor/check.js';
import type { Host } from '../../../host/host.js';
import { readFirewall } from '../apply.js';
import { firewallDifferences } from '../live.js';
import { type FirewallInput, firewallGuards, firewallTable } from '../rules.js';

const REWRITE =
  'run `webstack up` to write it again; keep your own rules in a table of your own, not in inet webstack';

/** Whether the host's live `table inet webstack` is exactly the one this host's role calls for. */
export function firewallCheck(host: Host, expected: FirewallInput): Check {
  return {
    title: 'firewall',
    async run() {
      const guards = firewallGuards(expected);
      const guarded = [
        ...guards.flatMap((g) => g.ports.map((p) => `port ${p} (${g.name})`)),
        ...(expected.vrrpFrom ? ['VRRP'] : []),
      ];
      const ports = guarded.join(', ');
      if (!(await host.isRoot()))
        return {
          severity: 'warning',
          detail: 'reading the nftables rules needs root',
          fix: 'run `sudo webstack doctor`',
        };
      let live: Awaited<ReturnType<typeof readFirewall>>;
      try {
        live = await readFirewall(host);
      } catch (error) {
        if (error instanceof WebstackError && error.code === 'COMMAND_MISSING')
          return {
            severity: 'critical',
            detail: 'nft is not installed: nothing keeps the guarded ports private',
            fix: 'run `apt-get install -y nftables`, then `webstack up`',
          };
        throw error;
      }
      if (live === null)
        return guarded.length === 0
          ? ok('no port to guard on this host')
          : {
              severity: 'critical',
              detail: `there is no table inet webstack: ${ports} open to every address`,
              fix: 'run `webstack up` (it writes the table)',
            };
      const differences = firewallDifferences(firewallTable(expected), live);
      if (differences.length === 0)
        return ok(guarded.length === 0 ? 'the table guards no port' : `${ports}: only from their peers`);
      return {
        severity: 'critical',
        detail: `table inet webstack differs: ${differences.join('; ')}`,
        fix: REWRITE,
      };
    },
  };
}
