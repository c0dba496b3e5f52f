import type { Inventory, InventoryHost } from '../../core/config/inventory.js';
import { hostsWith } from '../../core/config/inventory.js';
import type { ResolvedConfig } from '../../core/config/load.js';
import { GALERA_CHECK_PORT, GALERA_PORTS } from '../galera/cnf.js';
import type { FirewallGuard, FirewallInput } from './rules.js';

/**
 * What this host of a cluster guards, with the config's ports: what `up` writes and what `doctor`
 * compares the live table with. Null on a single server.
 */
export function hostFirewallInput(config: ResolvedConfig): FirewallInput | null {
  if (config.inventory.single || config.here === null) return null;
  return firewallInputFor(config.inventory, config.here.host, {
    app: config.app.port,
    db: config.database.port,
    galera: [GALERA_PORTS.replication, GALERA_PORTS.ist, GALERA_PORTS.sst],
    galeraCheck: GALERA_CHECK_PORT,
    ...(config.https.acme ? { acmePeer: config.https.acme.peerPort } : {}),
  });
}

/**
 * What HOST's firewall guards, from the inventory: on an app host the application port, open to
 * the lb hosts; on a db host the MariaDB port, open to the app hosts. A cluster of one guards
 * nothing: its ports listen on loopback only.
 */
export function firewallInputFor(
  inventory: Inventory,
  host: InventoryHost,
  ports: {
    app: number;
    db: number;
    galera?: readonly number[];
    galeraCheck?: number;
    /** With ACME across lbs: the port the issuing lb hands its pair on, to the other lbs only. */
    acmePeer?: number;
  },
): FirewallInput {
  if (inventory.single) return { lbAddresses: [], appAddresses: [] };
  const addresses = (role: 'lb' | 'app' | 'db') => hostsWith(inventory, role).map((h) => h.address);
  const app = host.roles.includes('app');
  const db = host.roles.includes('db');
  const peers = addresses('db').filter((address) => address !== host.address);
  // A Galera node: replication, IST and SST only between the cluster's own hosts; the health
  // agent for the app hosts' HAProxy checks and the other nodes.
  const galera = db && peers.length >= 2 && ports.galera && ports.galeraCheck !== undefined;
  const otherLbs = addresses('lb').filter((address) => address !== host.address);
  const issuer = hostsWith(inventory, 'lb')[0];
  const extra: FirewallGuard[] = [];
  if (galera)
    extra.push(
      { name: 'galera', ports: ports.galera ?? [], from: peers },
      {
        name: 'galera_check',
        ports: [ports.galeraCheck ?? 0],
        from: [...new Set([...addresses('app'), ...peers])],
      },
    );
  if (ports.acmePeer !== undefined && issuer?.name === host.name && otherLbs.length > 0)
    extra.push({ name: 'acme_pair', ports: [ports.acmePeer], from: otherLbs });
  return {
    // Two lbs share the floating address: VRRP only from the other one.
    ...(inventory.vip !== null && host.roles.includes('lb') ? { vrrpFrom: otherLbs } : {}),
    ...(app ? { appPort: ports.app } : {}),
    lbAddresses: app ? addresses('lb') : [],
    ...(db ? { dbPort: ports.db } : {}),
    appAddresses: db ? addresses('app') : [],
    ...(extra.length > 0 ? { extra } : {}),
  };
}
