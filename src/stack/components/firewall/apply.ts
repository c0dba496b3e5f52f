import { WebstackError } from '../../core/errors.js';
import { statePaths } from '../../core/paths.js';
import { CommandFailed, type Host } from '../../host/index.js';
import { nft } from './commands.js';
import { type LiveFirewall, parseLiveFirewall } from './live.js';
import { REMOVE_FIREWALL_SCRIPT } from './rules.js';

/**
 * Writes the script under the state directory (0600: it lists the cluster's addresses) and applies
 * it: `nft -c` first, so a script the kernel refuses changes nothing, then `nft -f` in one transaction.
 * Returns the path of the script.
 */
export async function applyFirewall(host: Host, stateDir: string, script: string): Promise<string> {
  const file = statePaths(stateDir).firewall;
  await host.writeAtomic(file, script, { mode: 0o600 });
  for (const argv of [nft.check(file), nft.apply(file)]) {
    try {
      await host.run(argv);
    } catch (error) {
      if (error instanceof CommandFailed)
        throw new WebstackError('FIREWALL_REJECTED', file, error.message, { cause: error });
      throw error;
    }
  }
  return file;
}

/** Deletes webstack's table if it is there (`down`); the operator's tables stay as they are. */
export async function removeFirewall(host: Host): Promise<void> {
  await host.run(nft.applyStdin(), { input: REMOVE_FIREWALL_SCRIPT });
}

/** The live table, or null when there is none. */
export async function readFirewall(host: Host): Promise<LiveFirewall | null> {
  const { code, stdout, stderr } = await host.run(nft.listTable(), { okCodes: [0, 1] });
  if (code === 0) return parseLiveFirewall(stdout);
  if (/No such file or directory/.test(stderr)) return null;
  throw new WebstackError('FIREWALL_UNREADABLE', stderr.trim() || `nft exited with ${code}`);
}
