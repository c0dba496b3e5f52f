import type { ResolvedConfig } from '../core/config/load.js';
import { isWebstackError, WebstackError } from '../core/errors.js';
import { statePaths } from '../core/paths.js';
import { callSupervisor } from '../supervisor/control/client.js';

/** A cluster's steps can take as long as a deploy. */
const CONTROL_TIMEOUT_MS = 30 * 60_000;

/**
 * `webstack control METHOD PATH [JSON]`: one request to this host's supervisor, its answer as one
 * JSON line: `{"ok": …}` or `{"error": {code, message, fix}}`. The operator's machine runs it on
 * a host over SSH: that is how it reaches a host's control socket, never over a TCP port.
 */
export async function controlVerb(config: ResolvedConfig, options: { args: string[] }): Promise<number> {
  const [method, path, body] = options.args;
  if ((method !== 'GET' && method !== 'POST') || !path?.startsWith('/'))
    throw new WebstackError('BAD_REQUEST', 'usage: webstack control GET|POST /PATH [JSON]');
  try {
    const answer = await callSupervisor(
      statePaths(config.stateDir).control,
      method,
      path,
      body === undefined ? undefined : JSON.parse(body),
      CONTROL_TIMEOUT_MS,
    );
    console.log(JSON.stringify({ ok: answer }));
    return 0;
  } catch (error) {
    if (!isWebstackError(error)) throw error;
    console.log(JSON.stringify({ error: { code: error.code, message: error.message, fix: error.fix } }));
    return 1;
  }
}
