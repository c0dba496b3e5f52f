import type { ResolvedConfig } from '../core/config/load.js';
import { WebstackError } from '../core/errors.js';
import { statePaths } from '../core/paths.js';
import { localHost } from '../host/index.js';
import { runSiteCli } from '../operations/site-cli.js';

export async function seedVerb(config: ResolvedConfig): Promise<number> {
  const result = await runSiteCli(localHost, config, statePaths(config.stateDir), ['seed'], { role: 'app' });
  process.stdout.write(result.stdout);
  return 0;
}

/** The password comes from stdin when it is piped in; otherwise the site generates one and prints it once. */
export async function userAddVerb(
  config: ResolvedConfig,
  options: { email: string; role: string },
): Promise<number> {
  let input: string | undefined;
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    input = Buffer.concat(chunks).toString('utf8').split('\n')[0];
  }
  // The site's user-add reads the password from its stdin, and generates one when that is empty.
  const args = ['user-add', '--email', options.email, '--role', options.role];
  const result = await runSiteCli(localHost, config, statePaths(config.stateDir), args, {
    role: 'app',
    ...(input ? { input } : {}),
  }).catch((error: unknown) => {
    const detail = (error as { result?: { stderr?: string } }).result?.stderr?.trim().split('\n').pop();
    if (detail) throw new WebstackError('USER_ADD_FAILED', detail, { cause: error });
    throw error;
  });
  process.stdout.write(result.stdout);
  return 0;
}

export async function userRoleVerb(
  config: ResolvedConfig,
  options: { email: string; role: string },
): Promise<number> {
  const args = ['user-role', '--email', options.email, '--role', options.role];
  const result = await runSiteCli(localHost, config, statePaths(config.stateDir), args, {
    role: 'app',
  }).catch((error: unknown) => {
    const detail = (error as { result?: { stderr?: string } }).result?.stderr?.trim().split('\n').pop();
    if (detail) throw new WebstackError('USER_ROLE_FAILED', detail.replace(/^error: /, ''), { cause: error });
    throw error;
  });
  process.stdout.write(result.stdout);
  return 0;
}

/** Ends every session of an account, in every browser and API client (e.g. after a stolen cookie). */
export async function userLogoutVerb(config: ResolvedConfig, options: { email: string }): Promise<number> {
  const args = ['user-logout', '--email', options.email];
  const result = await runSiteCli(localHost, config, statePaths(config.stateDir), args, {
    role: 'app',
  }).catch((error: unknown) => {
    const detail = (error as { result?: { stderr?: string } }).result?.stderr?.trim().split('\n').pop();
    if (detail)
      throw new WebstackError('USER_LOGOUT_FAILED', detail.replace(/^error: /, ''), { cause: error });
    throw error;
  });
  process.stdout.write(result.stdout);
  return 0;
}
