import type { Inventory, InventoryHost } from '../../core/config/inventory.js';
import { hostsWith } from '../../core/config/inventory.js';
import type { FirewallInput } from './rules.js';

/**
 * What HOST's firewall guards, from the inventory: on an app host the application port, open to
 * the lb hosts; on a db host the MariaDB port, open to the app hosts. A cluster of one guards
 * nothing: its ports listen on loopback only.
 */
export function firewallInputFor(
  inventory: Inventory,
  host: InventoryHost,
  ports: { app: number; db: number; galera?: readonly number[]; galeraCheck?: number },
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
  return {
    // Two lbs share the floating address: VRRP only from the other one.
    ...(inventory.vip !== null && host.roles.includes('lb') ? { vrrpFrom: otherLbs } : {}),
    ...(app ? { appPort: ports.app } : {}),
    lbAddresses: app ? addresses('lb') : [],
    ...(db ? { dbPort: ports.db } : {}),
    appAddresses: db ? addresses('app') : [],
    ...(galera
      ? {
          extra: [
            { name: 'galera', ports: ports.galera ?? [], from: peers },
            {
              name: 'galera_check',
              ports: [ports.galeraCheck ?? 0],
              from: [...new Set([...addresses('app'), ...peers])],
            },
          ],
        }
      : {}),
  };
}
