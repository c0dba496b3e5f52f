/** The top frames of a V8 .cpuprofile by self time, as printable lines. Pure. */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time summed by `keyOf(node)`, largest first, as "rank. percent  key" lines. */
function rank(profile: CpuProfile, count: number, keyOf: (node: ProfileNode) => string): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    total += dt;
    const key = keyOf(node);
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(
      ([key, us], i) =>
        `${String(i + 1).padStart(2)}. ${((us / total) * 100).toFixed(1).padStart(5)}%  ${key}`,
    );
}

/** A frame's file, shortened: relative to `root`, or from its node_modules package on. */
function shortUrl(url: string, root: string): string {
  return url.replace(root, '').replace(/^file:\/\/.*\/node_modules\//, '');
}

/** Self time per function (name + file + line), summed over every node of it. */
export function topFrames(profile: CpuProfile, count: number, root = ''): string[] {
  return rank(profile, count, ({ callFrame: { functionName, url, lineNumber } }) => {
    const where = shortUrl(url, root);
    return `${functionName || '(anonymous)'}${where ? ` ${where}:${lineNumber + 1}` : ''}`;
  });
}

/**
 * Self time per npm package (fastify, kysely, mysql2 ...), per file of the site, per Node
 * built-in module; native frames (writev, GC, idle) by their own name.
 */
export function topPackages(profile: CpuProfile, count: number, root = ''): string[] {
  return rank(profile, count, ({ callFrame: { functionName, url } }) => {
    if (url === '') return functionName || '(native)';
    const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
    if (pkg) return pkg;
    if (url.startsWith('node:')) return url.replace(/^node:internal\//, 'node:');
    return shortUrl(url, root);
  });
}
