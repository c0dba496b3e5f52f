import { galeraBootstrap, galeraRollingRestart } from '../cluster/galera.js';
import type { ResolvedConfig } from '../core/config/load.js';
import { WebstackError } from '../core/errors.js';

const line = (host: string, text: string) => console.log(`${host.padEnd(8)} ${text}`);

export async function dbBootstrapVerb(
  config: ResolvedConfig,
  options: { from?: string; force?: boolean },
): Promise<number> {
  if (!options.from) throw new WebstackError('BAD_OPTION', '--from NODE is required', 'pass e.g. --from db1');
  await galeraBootstrap(config, options.from, options.force === true, line);
  console.log(`the cluster runs from ${options.from}`);
  return 0;
}

export async function dbRestartVerb(config: ResolvedConfig, options: { rolling?: boolean }): Promise<number> {
  if (!options.rolling)
    throw new WebstackError(
      'BAD_OPTION',
      'only a rolling restart is offered (one node at a time, the site stays up)',
      'pass --rolling',
    );
  const took = await galeraRollingRestart(config, line);
  console.log(
    `restarted ${took.map((t) => `${t.host} (${t.seconds.toFixed(1)} s)`).join(', ')}; every node Synced`,
  );
  return 0;
}
