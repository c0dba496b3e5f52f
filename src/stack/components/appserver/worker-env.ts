import { SITE_ENV } from '../../../contract.js';

/** What a worker keeps of the supervisor's environment: the site's own variables and the basics. */
const KEPT = new Set<string>([...Object.values(SITE_ENV), 'NODE_ENV', 'PATH', 'LANG', 'LC_ALL', 'TZ']);

/**
 * The environment handed to cluster.fork(). node:cluster lays it over the whole of process.env (the
 * operator's or root's: tokens, SUDO_*, SSH_AUTH_SOCK ...), and child_process leaves out a variable
 * whose value is undefined: so every other variable is named here with undefined, and a worker
 * sees only what the site needs plus OWN (and node:cluster's own NODE_UNIQUE_ID, NODE_CHANNEL_FD).
 */
export function workerEnv(
  parent: NodeJS.ProcessEnv,
  own: Record<string, string>,
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(parent)) env[key] = KEPT.has(key) ? value : undefined;
  return { ...env, ...own };
}
