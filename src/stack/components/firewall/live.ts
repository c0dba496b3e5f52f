import { isIP } from 'node:net';
import { WebstackError } from '../../core/errors.js';
import { FIREWALL_TABLE, type FirewallSet, type FirewallTable } from './rules.js';

/** The live table as read from `nft -j list table inet webstack`, in the same shape as firewallTable(). */
export interface LiveFirewall extends FirewallTable {
  /** The chains, each as "NAME: type filter hook input priority 0 policy accept" (or just the name). */
  chains: string[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function operand(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (isObject(value) && typeof value.bare === 'string') return value.bare;
  if (typeof value === 'string') return value.startsWith('@') || isIP(value) !== 0 ? value : `"${value}"`;
  if (isObject(value) && isObject(value.payload))
    return `${String(value.payload.protocol)} ${String(value.payload.field)}`;
  if (isObject(value) && isObject(value.meta)) {
    const key = String(value.meta.key);
    // nft prints these meta keys bare (iif "lo"), the others as "meta KEY".
    return ['iif', 'oif', 'iifname', 'oifname'].includes(key) ? key : `meta ${key}`;
  }
  return JSON.stringify(value);
}

/** One rule's expressions as `nft list` prints them (counter values left out); unknown ones as JSON. */
export function ruleText(expr: readonly unknown[]): string {
  return expr
    .map((item) => {
      if (!isObject(item)) return JSON.stringify(item);
      if (isObject(item.match)) {
        const { op, left } = item.match;
        // A protocol by name (ip protocol vrrp) is printed bare, not as a quoted string.
        const right =
          isObject(left) &&
          isObject(left.payload) &&
          left.payload.field === 'protocol' &&
          typeof item.match.right === 'string'
            ? { bare: item.match.right }
            : item.match.right;
        return op === '=='
          ? `${operand(left)} ${operand(right)}`
          : `${operand(left)} ${String(op)} ${operand(right)}`;
      }
      if ('counter' in item) return 'counter';
      if ('accept' in item) return 'accept';
      if ('drop' in item) return 'drop';
      return JSON.stringify(item);
    })
    .join(' ');
}

/** Parses `nft -j list table inet webstack`; throws FIREWALL_UNREADABLE on anything else. */
export function parseLiveFirewall(json: string): LiveFirewall {
  let items: unknown[];
  try {
    const parsed: unknown = JSON.parse(json);
    if (!isObject(parsed) || !Array.isArray(parsed.nftables)) throw new Error('no "nftables" array');
    items = parsed.nftables;
  } catch (error) {
    throw new WebstackError('FIREWALL_UNREADABLE', (error as Error).message, { cause: error });
  }
  const live: LiveFirewall = { sets: [], rules: [], chains: [] };
  const ours = (o: Json) => o.family === FIREWALL_TABLE.family && o.table === FIREWALL_TABLE.name;
  for (const item of items) {
    if (!isObject(item)) continue;
    const { set, chain, rule } = item;
    if (isObject(set) && ours(set)) {
      const elements = Array.isArray(set.elem)
        ? set.elem.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))
        : [];
      live.sets.push({
        name: String(set.name),
        type: set.type as FirewallSet['type'],
        elements: elements.sort(),
      });
    } else if (isObject(chain) && ours(chain)) {
      live.chains.push(
        chain.hook === undefined
          ? String(chain.name)
          : `${String(chain.name)}: type ${String(chain.type)} hook ${String(chain.hook)} priority ${String(chain.prio)} policy ${String(chain.policy)}`,
      );
    } else if (isObject(rule) && ours(rule)) {
      const expr = Array.isArray(rule.expr) ? rule.expr : [];
      live.rules.push(rule.chain === 'input' ? ruleText(expr) : `${String(rule.chain)}: ${ruleText(expr)}`);
    }
  }
  return live;
}

/** The one chain webstack's table has, as parseLiveFirewall() shows it. */
export const EXPECTED_CHAINS = ['input: type filter hook input priority 0 policy accept'];

/** What differs between the live table and the expected one, one line each; empty when they match. */
export function firewallDifferences(expected: FirewallTable, live: LiveFirewall): string[] {
  const differences: string[] = [];
  if (JSON.stringify(live.chains) !== JSON.stringify(EXPECTED_CHAINS))
    differences.push(`chains are [${live.chains.join('; ')}], expected [${EXPECTED_CHAINS.join('; ')}]`);
  const liveSets = new Map(live.sets.map((s) => [s.name, s]));
  for (const set of expected.sets) {
    const found = liveSets.get(set.name);
    if (!found) differences.push(`set ${set.name} is missing`);
    else if (found.type !== set.type || found.elements.join(',') !== set.elements.join(','))
      differences.push(
        `set ${set.name} holds {${found.elements.join(', ')}}, expected {${set.elements.join(', ')}}`,
      );
    liveSets.delete(set.name);
  }
  for (const name of liveSets.keys()) differences.push(`set ${name} is not webstack's`);
  if (live.rules.join('\n') !== expected.rules.join('\n')) {
    const missing = expected.rules.filter((r) => !live.rules.includes(r));
    const extra = live.rules.filter((r) => !expected.rules.includes(r));
    if (missing.length > 0) differences.push(`missing rules: ${missing.join('; ')}`);
    if (extra.length > 0) differences.push(`unexpected rules: ${extra.join('; ')}`);
    if (missing.length === 0 && extra.length === 0) differences.push('the rules are in another order');
  }
  return differences;
}
