import type { Inventory, InventoryHost } from '../core/config/inventory.js';
import { hostsWith } from '../core/config/inventory.js';
import type { Role } from '../core/config/schema.js';

/** The programs webstack runs, by the role that needs them. */
export type ComponentName = 'mariadb' | 'appserver' | 'nginx';

const COMPONENTS_OF: Record<Role, readonly ComponentName[]> = {
  db: ['mariadb'],
  app: ['appserver'],
  lb: ['nginx'],
};

/** Roles in the order they start: what a tier needs is up before it (stop runs the other way). */
export const START_ORDER: readonly Role[] = ['db', 'app', 'lb'];

/** What one host runs and whom it talks to. */
export interface HostPlan {
  host: InventoryHost;
  components: ComponentName[];
  /** For an lb: the application servers it proxies to. */
  upstreams: { host: string; address: string }[];
  /** For an app host: the database host it connects to. */
  database: { host: string; address: string } | null;
  /** The hosts its servers take connections from: app hosts for a db host, lb hosts for an app host. */
  clients: { app: { host: string; address: string }[]; db: { host: string; address: string }[] };
}

/**
 * The inventory turned into what each host runs: the components of its roles, in start order, and
 * the addresses of the tiers it depends on. A cluster of one is the same plan with one host.
 */
export function planCluster(inventory: Inventory): HostPlan[] {
  const apps = hostsWith(inventory, 'app').map((host) => ({ host: host.name, address: host.address }));
  const lbs = hostsWith(inventory, 'lb').map((host) => ({ host: host.name, address: host.address }));
  const [db] = hostsWith(inventory, 'db');
  return inventory.hosts.map((host) => ({
    host,
    components: START_ORDER.filter((role) => host.roles.includes(role)).flatMap(
      (role) => COMPONENTS_OF[role],
    ),
    upstreams: host.roles.includes('lb') ? apps : [],
    database: host.roles.includes('app') && db ? { host: db.name, address: db.address } : null,
    clients: {
      app: host.roles.includes('app') ? lbs : [],
      db: host.roles.includes('db') ? apps : [],
    },
  }));
}

/** The hosts in the order `up` brings them up: every db host, then app, then lb (a host once). */
export function startSequence(inventory: Inventory): InventoryHost[] {
  const order: InventoryHost[] = [];
  for (const role of START_ORDER) {
    for (const host of hostsWith(inventory, role)) if (!order.includes(host)) order.push(host);
  }
  return order;
}
