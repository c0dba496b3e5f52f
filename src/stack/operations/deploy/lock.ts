import { WebstackError } from '../../core/errors.js';
import type { StatePaths } from '../../core/paths.js';
import type { Host } from '../../host/host.js';

/**
 * One deploy or rollback at a time: a lock file holding the owner's pid, created exclusively.
 * A lock left by a process that no longer exists is taken over.
 */
export async function acquireDeployLock(host: Host, paths: StatePaths): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await host.createExclusive(paths.deployLock, `${process.pid}\n`, { mode: 0o600 }))
      return () => host.remove(paths.deployLock);
    const owner = Number(((await host.readText(paths.deployLock)) ?? '').trim());
    if (Number.isInteger(owner) && owner > 0 && (await host.isAlive(owner))) {
      throw new WebstackError('DEPLOY_LOCKED', owner);
    }
    await host.remove(paths.deployLock);
  }
  throw new WebstackError('DEPLOY_LOCK_STUCK', paths.deployLock, paths.deployLock);
}
