/** Readers of /proc/self/mountinfo: which mounts the lab made in the root namespace. */

/** mountinfo escapes space, tab, newline and backslash in paths as octal (\040 …). */
function unescapeOctal(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** Mount points at or under `dir`, deepest first (the order they can be unmounted in). */
export function mountPointsUnder(mountinfo: string, dir: string): string[] {
  const points = mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((field): field is string => field !== undefined)
    .map(unescapeOctal)
    .filter((point) => point === dir || point.startsWith(`${dir}/`));
  return [...new Set(points)].sort((a, b) => b.split('/').length - a.split('/').length || b.localeCompare(a));
}
