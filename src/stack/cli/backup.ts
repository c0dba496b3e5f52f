import type { ResolvedConfig } from '../core/config/load.js';
import { WebstackError } from '../core/errors.js';
import { statePaths } from '../core/paths.js';
import { localHost } from '../host/index.js';
import { createBackup } from '../operations/backup/backup.js';
import { restoreBackup } from '../operations/backup/restore.js';

function parseKeep(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const keep = Number(value);
  if (!Number.isInteger(keep) || keep < 1)
    throw new WebstackError('BAD_OPTION', `--keep ${value} is not a positive whole number`, 'e.g. --keep 7');
  return keep;
}

export async function backupVerb(
  config: ResolvedConfig,
  options: { keep?: string; args: string[] },
): Promise<number> {
  const keep = parseKeep(options.keep);
  const result = await createBackup(localHost, config, statePaths(config.stateDir), {
    ...(options.args[0] ? { file: options.args[0] } : {}),
    ...(keep === undefined ? {} : { keep }),
  });
  const rows = Object.values(result.manifest.rows).reduce((a, b) => a + b, 0);
  console.log(`backup written: ${result.file}`);
  console.log(
    `sha256 ${result.sha256} (in ${result.file}.sha256); ${rows} rows in ${Object.keys(result.manifest.rows).length} tables`,
  );
  return 0;
}

export async function restoreVerb(config: ResolvedConfig, options: { args: string[] }): Promise<number> {
  const file = options.args[0];
  if (!file)
    throw new WebstackError('BAD_OPTION', 'restore needs the archive to restore', 'webstack restore FILE');
  const result = await restoreBackup(localHost, config, statePaths(config.stateDir), file);
  const rows = Object.values(result.rows).reduce((a, b) => a + b, 0);
  console.log(`restored ${rows} rows into ${result.database} and the uploads from ${file}`);
  if (result.migrated) console.log(result.migrated);
  console.log(`the replaced tables are kept in database ${result.previous}; drop it once satisfied`);
  return 0;
}
