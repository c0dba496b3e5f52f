import type { Argv } from '../../host/host.js';
import { FIREWALL_TABLE } from './rules.js';

/** `nft` argv builders; the scripts themselves come from rules.ts. */
export const nft = {
  /** Parses and checks a script against the kernel without applying it. */
  check: (file: string): Argv => ['nft', '-c', '-f', file],
  /** Applies a script in one transaction. */
  apply: (file: string): Argv => ['nft', '-f', file],
  /** Applies the script on stdin in one transaction. */
  applyStdin: (): Argv => ['nft', '-f', '-'],
  /** webstack's table as JSON; exits 1 when the table does not exist. */
  listTable: (): Argv => ['nft', '-j', 'list', 'table', FIREWALL_TABLE.family, FIREWALL_TABLE.name],
};
