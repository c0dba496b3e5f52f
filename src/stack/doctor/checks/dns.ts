import { Resolver } from 'node:dns/promises';
import { networkInterfaces } from 'node:os';
import { type Check, ok } from '../check.js';

/** Whether the world finds this server: the site's name resolves to serverIp, an address of this machine. */
export const dnsCheck: Check = {
  title: 'DNS',
  on: ['nginx'],
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
    // One of two lbs: the floating address is on whichever holds it (the cluster's own finding).
    if (!local.includes(config.serverIp) && config.serverIp === config.inventory.vip)
      return ok(`${name} → ${config.serverIp}, the floating address (held by the other lb now)`);
    if (!local.includes(config.serverIp))
      return {
        severity: 'warning',
        detail: `${name} → ${config.serverIp}, but that address is not on this machine`,
        fix: "set serverIp to this server's public address, or check NAT/port forwarding",
      };
    return ok(`${name} → ${config.serverIp}, an address of this server`);
  },
};
