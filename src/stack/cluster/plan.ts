import type { Inventory, InventoryHost } from '../core/config/inventory.js';
import { hostsWith } from '../core/config/inventory.js';
import type { Role } from '../core/config/schema.js';

/** The programs webstack runs, by the role that needs them. */
export type ComponentName = 'mariadb' | 'haproxy' | 'appserver' | 'nginx' | 'keepalived';

const COMPONENTS_OF: Record<Role, readonly ComponentName[]> = {
  db: ['mariadb'],
  app: ['appserver'],
  lb: ['nginx'],
};

/** Where an app host's HAProxy takes the site's database connections (the database port, on loopback). */
export const HAPROXY_ADDRESS = '127.0.0.1';

/** Roles in the order they start: what a tier needs is up before it (stop runs the other way). */
export const START_ORDER: readonly Role[] = ['db', 'app', 'lb'];

/** What one host runs and whom it talks to. */
export interface HostPlan {
  host: InventoryHost;
  components: ComponentName[];
  /** For an lb: the application servers it proxies to. */
  upstreams: { host: string; address: string }[];
  /**
   * For an app host: where it connects to the database: the db host, or with a Galera cluster its
   * own HAProxy on loopback.
   */
  database: { host: string; address: string } | null;
  /**
   * With three or more db hosts, the cluster's nodes in inventory order: on a db host, its peers and
   * itself; on an app host, the servers its HAProxy balances. Null with one database server.
   */
  galera: { host: string; address: string }[] | null;
  /**
   * For one of two lb hosts: the floating address, this host's own and its peer's. keepalived
   * holds the address on the healthy one; null with one lb.
   */
  vrrp: { vip: string; address: string; peer: { host: string; address: string } } | null;
  /**
   * For an lb, where its ACME certificate comes from: the first lb of the inventory issues it (and
   * answers every challenge); each other lb takes the pair from it, and forwards the challenges
   * that reach it there. `followers` are the lbs the issuer hands the pair to. Null off the lbs.
   */
  certificates: {
    issuer: { host: string; address: string };
    followers: { host: string; address: string }[];
  } | null;
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
  const dbs = hostsWith(inventory, 'db').map((host) => ({ host: host.name, address: host.address }));
  const [db] = dbs;
  const galera = dbs.length >= 3 ? dbs : null;
  const vip = inventory.vip;
  return inventory.hosts.map((host) => ({
    host,
    components: START_ORDER.filter((role) => host.roles.includes(role)).flatMap((role) =>
      // Each app host reaches the cluster through its own HAProxy, started before the application.
      role === 'app' && galera
        ? (['haproxy', 'appserver'] as const)
        : // keepalived after Nginx: it claims the floating address only for an lb that serves.
          role === 'lb' && vip
          ? (['nginx', 'keepalived'] as const)
          : COMPONENTS_OF[role],
    ),
    upstreams: host.roles.includes('lb') ? apps : [],
    database: !host.roles.includes('app')
      ? null
      : galera
        ? { host: 'haproxy', address: HAPROXY_ADDRESS }
        : db
          ? { host: db.host, address: db.address }
          : null,
    galera: galera && (host.roles.includes('db') || host.roles.includes('app')) ? galera : null,
    vrrp: vrrpOf(host, vip, lbs),
    certificates: host.roles.includes('lb') && lbs[0] ? { issuer: lbs[0], followers: lbs.slice(1) } : null,
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

function vrrpOf(
  host: InventoryHost,
  vip: string | null,
  lbs: readonly { host: string; address: string }[],
): HostPlan['vrrp'] {
  const peer = lbs.find((lb) => lb.host !== host.name);
  if (vip === null || !host.roles.includes('lb') || !peer) return null;
  return { vip, address: host.address, peer };
}
