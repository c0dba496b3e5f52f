/** webstack's own nftables table: which peers may reach the application and database ports. */
export { applyFirewall, readFirewall, removeFirewall } from './apply.js';
export { firewallCheck } from './checks/firewall.js';
export { nft } from './commands.js';
export { firewallDifferences, type LiveFirewall, parseLiveFirewall, ruleText } from './live.js';
export { firewallInputFor, hostFirewallInput } from './peers.js';
export {
  FIREWALL_TABLE,
  type FirewallGuard,
  type FirewallInput,
  type FirewallSet,
  type FirewallTable,
  firewallGuards,
  firewallTable,
  REMOVE_FIREWALL_SCRIPT,
  renderFirewall,
} from './rules.js';
