import type { Argv } from '../../host/host.js';

/** Copies a tree preserving modes and links. */
export function copyTree(from: string, to: string): Argv {
  return ['cp', '-a', '--', from, to];
}

/** Hard-links a tree (instant, no extra disk): for node_modules shared by releases with one lock file. */
export function linkTree(from: string, to: string): Argv {
  return ['cp', '-al', '--', from, to];
}

/** Gives a tree to root (links themselves, not what they point at). */
export function chownRoot(dir: string): Argv {
  return ['chown', '-R', '--no-dereference', '0:0', '--', dir];
}

/** No group or other write anywhere in a tree: dirs 0755, files 0644 (0755 if executable). */
export function makeReadOnly(dir: string): Argv {
  return ['chmod', '-R', 'u=rwX,go=rX', '--', dir];
}

/** Installs a release's production dependencies exactly as locked. */
export function installProductionDeps(): Argv {
  return ['npm', 'ci', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'];
}

export function buildSite(): Argv {
  return ['npm', 'run', '--silent', 'build'];
}

export function gitShortSha(dir: string): Argv {
  return ['git', '-C', dir, 'rev-parse', '--short=8', 'HEAD'];
}
