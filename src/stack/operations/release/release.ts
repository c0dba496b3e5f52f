import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, readlink, rename, rm, symlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { SITE_ENTRY } from '../../../contract.js';
import { WebstackError } from '../../core/errors.js';
import type { StatePaths } from '../../core/paths.js';
import { run } from '../../host/local.js';
import { copyTree, gitShortSha, installProductionDeps, linkTree } from './commands.js';

/** A release id sorts by time: 20261129-142501-3f2a1b9c. */
export function releaseId(now: Date, revision: string | null): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return revision ? `${stamp}-${revision}` : stamp;
}

export async function currentRelease(paths: StatePaths): Promise<string | null> {
  try {
    return basename(await readlink(paths.current));
  } catch {
    return null;
  }
}

export function releaseDir(paths: StatePaths, id: string): string {
  return join(paths.releases, id);
}

export async function listReleases(paths: StatePaths): Promise<string[]> {
  if (!existsSync(paths.releases)) return [];
  const entries = await readdir(paths.releases);
  return entries.filter((name) => !name.endsWith('.tmp')).sort();
}

/**
 * Makes a release from a built checkout: its dist/ and lock file are copied, and production
 * dependencies installed exactly as locked. When the lock file matches the active release's,
 * that release's node_modules is hard-linked instead (instant). The release appears under its
 * final name only when complete, so a failed build leaves nothing behind.
 */
export async function createRelease(
  paths: StatePaths,
  sourceDir: string,
  log: (line: string) => void,
): Promise<string> {
  if (!existsSync(join(sourceDir, SITE_ENTRY))) {
    throw new WebstackError('RELEASE_NOT_BUILT', sourceDir, SITE_ENTRY, sourceDir);
  }
  const revision = await run(gitShortSha(sourceDir), { okCodes: [0, 128] }).then((r) =>
    r.code === 0 ? r.stdout.trim() : null,
  );
  // Ids have one-second resolution: a second release in the same second gets a suffix.
  const base = releaseId(new Date(), revision);
  let id = base;
  for (let n = 2; existsSync(releaseDir(paths, id)) || existsSync(join(paths.releases, `${id}.tmp`)); n++)
    id = `${base}-${n}`;
  const staging = join(paths.releases, `${id}.tmp`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    for (const item of ['dist', 'package.json', 'package-lock.json']) {
      await run(copyTree(join(sourceDir, item), join(staging, item)));
    }
    const active = await currentRelease(paths);
    const sameLock =
      active !== null &&
      (await sameFile(
        join(releaseDir(paths, active), 'package-lock.json'),
        join(staging, 'package-lock.json'),
      ));
    if (sameLock && active !== null) {
      log(`linking dependencies from release ${active}`);
      await run(linkTree(join(releaseDir(paths, active), 'node_modules'), join(staging, 'node_modules')));
    } else {
      log('installing production dependencies');
      await run(installProductionDeps(), { cwd: staging, timeoutMs: 600_000 });
    }
    await rename(staging, releaseDir(paths, id));
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return id;
}

/** Points `current` at a release atomically (a new symlink renamed over the old one). */
export async function activateRelease(paths: StatePaths, id: string): Promise<void> {
  const temp = `${paths.current}.tmp`;
  await rm(temp, { force: true });
  await symlink(join('releases', id), temp);
  await rename(temp, paths.current);
}

async function sameFile(a: string, b: string): Promise<boolean> {
  try {
    const [x, y] = await Promise.all([readFile(a), readFile(b)]);
    return x.equals(y);
  } catch {
    return false;
  }
}
