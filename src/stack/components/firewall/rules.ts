import { isIPv4, isIPv6 } from 'node:net';
import { WebstackError } from '../../core/errors.js';

/** The one table webstack owns; the operator's other tables are never read or touched. */
export const FIREWALL_TABLE = { family: 'inet', name: 'webstack' } as const;

/** A set of TCP ports that only some addresses (and loopback) may reach. */
export interface FirewallGuard {
  /** Names the guard's address sets: lower-case letters, digits and _. */
  name: string;
  ports: readonly number[];
  from: readonly string[];
}

/** What one host's firewall guards, from the cluster plan. */
export interface FirewallInput {
  /** An app host: its application port, reachable only from the lb hosts. */
  appPort?: number;
  lbAddresses: readonly string[];
  /** A db host: the MariaDB port, reachable only from the app hosts. */
  dbPort?: number;
  appAddresses: readonly string[];
  /** More guarded ports, e.g. Galera's replication ports (4567, 4568, 4444) from the other db hosts. */
  extra?: readonly FirewallGuard[];
  /**
   * One of two lb hosts: VRRP (IP protocol 112) only from the other lb. VRRPv3 has no
   * authentication, so this is what keeps another machine from claiming the floating address.
   */
  vrrpFrom?: readonly string[];
}

export interface FirewallSet {
  name: string;
  type: 'ipv4_addr' | 'ipv6_addr';
  /** Sorted, in nft's own notation (compressed IPv6). */
  elements: string[];
}

/**
 * The table as data: its sets and its input chain's rules, each rule written exactly as
 * `nft list` prints it. The script is rendered from this, and doctor compares the live table with it.
 */
export interface FirewallTable {
  sets: FirewallSet[];
  rules: string[];
}

/** The base chain: sees every packet for this host; anything the rules do not drop goes on. */
export const INPUT_CHAIN = 'type filter hook input priority filter; policy accept;';

/** Every guard of the input, validated (a bad address or port is a coded error). */
export function firewallGuards(input: FirewallInput): FirewallGuard[] {
  const guards: FirewallGuard[] = [];
  if (input.appPort !== undefined)
    guards.push({ name: 'app', ports: [input.appPort], from: input.lbAddresses });
  if (input.dbPort !== undefined)
    guards.push({ name: 'db', ports: [input.dbPort], from: input.appAddresses });
  guards.push(...(input.extra ?? []));
  const owners = new Map<number, string>();
  const names = new Set<string>();
  for (const guard of guards) {
    if (!/^[a-z][a-z0-9_]{0,23}$/.test(guard.name) || names.has(guard.name))
      throw new WebstackError('FIREWALL_NAME_INVALID', JSON.stringify(guard.name));
    names.add(guard.name);
    for (const port of guard.ports) {
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        throw new WebstackError('FIREWALL_PORT_INVALID', guard.name, String(port));
      const owner = owners.get(port);
      if (owner !== undefined) throw new WebstackError('FIREWALL_PORT_TWICE', port, owner, guard.name);
      owners.set(port, guard.name);
    }
    for (const address of guard.from) {
      if (!isIPv4(address) && !isIPv6(address))
        throw new WebstackError('FIREWALL_ADDRESS_INVALID', guard.name, JSON.stringify(address));
    }
  }
  for (const address of input.vrrpFrom ?? [])
    if (!isIPv4(address))
      throw new WebstackError('FIREWALL_ADDRESS_INVALID', 'vrrp', JSON.stringify(address));
  return guards;
}

/** An IPv6 address as nft prints it: lower case, the longest run of zeros compressed. */
export function canonicalIPv6(address: string): string {
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

/** The table for this input: loopback first, then per guarded port: the allowed v4 and v6 sources, then drop. */
export function firewallTable(input: FirewallInput): FirewallTable {
  const sets: FirewallSet[] = [];
  const rules = ['iif "lo" accept'];
  for (const guard of firewallGuards(input)) {
    const v4 = [...new Set(guard.from.filter((a) => isIPv4(a)))].sort();
    const v6 = [...new Set(guard.from.filter((a) => isIPv6(a)).map(canonicalIPv6))].sort();
    sets.push({ name: `${guard.name}_v4`, type: 'ipv4_addr', elements: v4 });
    sets.push({ name: `${guard.name}_v6`, type: 'ipv6_addr', elements: v6 });
    for (const port of guard.ports) {
      rules.push(
        `tcp dport ${port} ip saddr @${guard.name}_v4 accept`,
        `tcp dport ${port} ip6 saddr @${guard.name}_v6 accept`,
        // Counted, so `nft list table inet webstack` shows what was turned away.
        `tcp dport ${port} counter drop`,
      );
    }
  }
  if (input.vrrpFrom !== undefined) {
    sets.push({ name: 'vrrp_v4', type: 'ipv4_addr', elements: [...new Set(input.vrrpFrom)].sort() });
    rules.push('ip protocol vrrp ip saddr @vrrp_v4 accept', 'ip protocol vrrp counter drop');
  }
  return { sets, rules };
}

/**
 * A complete `nft -f` script for webstack's own table. The first two lines make sure the table
 * exists and then delete it, so the new definition replaces the old one in the same transaction
 * (`nft -f` applies a file atomically): never a moment without the rules, and no other table touched.
 */
export function renderFirewall(input: FirewallInput): string {
  const { sets, rules } = firewallTable(input);
  const table = `${FIREWALL_TABLE.family} ${FIREWALL_TABLE.name}`;
  const lines = [
    '#!/usr/sbin/nft -f',
    '# Written by webstack; rewritten on every `webstack up`. Put your own rules in a table of your own.',
    `table ${table} {}`,
    `delete table ${table}`,
    `table ${table} {`,
  ];
  for (const set of sets) {
    const elements = set.elements.length > 0 ? ` elements = { ${set.elements.join(', ')} };` : '';
    lines.push(`  set ${set.name} { type ${set.type};${elements} }`);
  }
  lines.push('  chain input {', `    ${INPUT_CHAIN}`, ...rules.map((rule) => `    ${rule}`), '  }', '}');
  return `${lines.join('\n')}\n`;
}

/** Removes webstack's table if it is there (the same create-then-delete idiom, so a missing table is fine). */
export const REMOVE_FIREWALL_SCRIPT = `table ${FIREWALL_TABLE.family} ${FIREWALL_TABLE.name} {}\ndelete table ${FIREWALL_TABLE.family} ${FIREWALL_TABLE.name}\n`;
