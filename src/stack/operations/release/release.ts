import { basename, join } from 'node:path';
import { SITE_ENTRY } from '../../../contract.js';
import { WebstackError } from '../../core/errors.js';
import type { StatePaths } from '../../core/paths.js';
import type { Host } from '../../host/host.js';
import { asOwnerOf, chownTree } from '../install/accounts.js';
import {
  chownRoot,
  copyTree,
  gitShortSha,
  installProductionDeps,
  linkTree,
  makeReadOnly,
} from './commands.js';

/** A release id sorts by time: 20261129-142501-3f2a1b9c. */
export function releaseId(now: Date, revision: string | null): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return revision ? `${stamp}-${revision}` : stamp;
}

export async function currentRelease(host: Host, paths: StatePaths): Promise<string | null> {
  const target = await host.readLink(paths.current);
  return target === null ? null : basename(target);
}

export function releaseDir(paths: StatePaths, id: string): string {
  return join(paths.releases, id);
}

export async function listReleases(host: Host, paths: StatePaths): Promise<string[]> {
  const entries = await host.list(paths.releases);
  // A release id has no dot: staging (.tmp) and archives in transit (.tar.in) are not releases.
  return entries.filter((name) => !name.includes('.')).sort();
}

/**
 * Makes a release from a built checkout: its dist/ and lock file are copied, and production
 * dependencies installed exactly as locked. When the lock file matches the active release's,
 * that release's node_modules is hard-linked instead (instant). The release appears under its
 * final name only when complete, so a failed build leaves nothing behind.
 */
export async function createRelease(
  host: Host,
  paths: StatePaths,
  sourceDir: string,
  log: (line: string) => void,
): Promise<string> {
  if (!(await host.exists(join(sourceDir, SITE_ENTRY)))) {
    throw new WebstackError('RELEASE_NOT_BUILT', sourceDir, SITE_ENTRY, sourceDir);
  }
  const revision = await host
    .run(gitShortSha(sourceDir), { okCodes: [0, 128] })
    .then((r) => (r.code === 0 ? r.stdout.trim() : null));
  // Ids have one-second resolution: a second release in the same second gets a suffix.
  const base = releaseId(new Date(), revision);
  let id = base;
  for (
    let n = 2;
    (await host.exists(releaseDir(paths, id))) || (await host.exists(join(paths.releases, `${id}.tmp`)));
    n++
  )
    id = `${base}-${n}`;
  const staging = join(paths.releases, `${id}.tmp`);
  await host.remove(staging);
  await host.mkdir(staging, { mode: 0o755 });
  try {
    for (const item of ['dist', 'package.json', 'package-lock.json']) {
      await host.run(copyTree(join(sourceDir, item), join(staging, item)));
    }
    const active = await currentRelease(host, paths);
    const sameLock =
      active !== null &&
      (await sameFile(
        host,
        join(releaseDir(paths, active), 'package-lock.json'),
        join(staging, 'package-lock.json'),
      ));
    if (sameLock && active !== null) {
      log(`linking dependencies from release ${active}`);
      await host.run(
        linkTree(join(releaseDir(paths, active), 'node_modules'), join(staging, 'node_modules')),
      );
    } else {
      log('installing production dependencies');
      // Install scripts come with the checkout's lock file: its owner runs them, in a staging
      // directory lent to it until the release is given to root below.
      const as = await asOwnerOf(host, sourceDir);
      if (as.owner) await host.run(chownTree(as.owner, staging));
      await host.run(as.wrap(installProductionDeps()), {
        cwd: staging,
        timeoutMs: 600_000,
        ...(as.env ? { env: as.env } : {}),
      });
    }
    // cp -a kept the checkout's owner and modes: a release belongs to root, and the application
    // (another account) can read it but never change the code it runs.
    if (await host.isRoot()) await host.run(chownRoot(staging));
    await host.run(makeReadOnly(staging));
    await host.rename(staging, releaseDir(paths, id));
  } catch (error) {
    await host.remove(staging);
    throw error;
  }
  return id;
}

/** Points `current` at a release atomically (a new symlink renamed over the old one). */
export async function activateRelease(host: Host, paths: StatePaths, id: string): Promise<void> {
  await host.symlink(join('releases', id), paths.current);
}

async function sameFile(host: Host, a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([host.readText(a), host.readText(b)]);
  return x !== null && x === y;
}
