import type { HostPlan } from '../../cluster/plan.js';
import { accepts } from '../../core/ports.js';
import { type Check, ok } from '../check.js';

/**
 * On a host of a cluster: whether it reaches the hosts it needs, on the ports it needs them on
 * (an lb each app host's application port, an app host the database's). A host the firewall or
 * the network cuts off fails here before the site does.
 */
export function peersCheck(plan: HostPlan, ports: { app: number; db: number }): Check {
  const needs = [
    ...plan.upstreams.map((peer) => ({ ...peer, port: ports.app, what: 'application server' })),
    ...(plan.database ? [{ ...plan.database, port: ports.db, what: 'database' }] : []),
  ];
  return {
    title: 'peers',
    async run() {
      if (needs.length === 0) return ok('this host connects to no other');
      const results = await Promise.all(
        needs.map(async (peer) => ({ peer, up: await accepts({ host: peer.address, port: peer.port }) })),
      );
      const down = results
        .filter((r) => !r.up)
        .map(({ peer }) => `${peer.what} ${peer.host} (${peer.address}:${peer.port})`);
      if (down.length === 0) return ok(`reaches ${needs.map((p) => `${p.host}:${p.port}`).join(', ')}`);
      return {
        severity: 'critical',
        detail: `cannot reach ${down.join(', ')}`,
        fix: 'run `webstack status` (is it up?) and `webstack doctor` on that host (its firewall), then check the network between them',
      };
    },
  };
}
