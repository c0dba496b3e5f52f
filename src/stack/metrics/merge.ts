/**
 * Several hosts' Prometheus text expositions as one: each sample gets a `host` label (first), and
 * each metric family keeps one HELP and one TYPE line with the samples of every host under it,
 * as the format requires (a family's lines must not be split).
 */
export function mergeExpositions(parts: readonly { host: string; text: string }[]): string {
  const families = new Map<string, { meta: string[]; samples: string[] }>();
  const family = (name: string) => {
    let entry = families.get(name);
    if (!entry) {
      entry = { meta: [], samples: [] };
      families.set(name, entry);
    }
    return entry;
  };
  for (const { host, text } of parts) {
    let current: string | null = null;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const meta = /^# (HELP|TYPE) (\S+)/.exec(line);
      if (meta) {
        const name = meta[2] ?? '';
        current = name;
        const entry = family(name);
        if (!entry.meta.some((m) => m.startsWith(`# ${meta[1]} `))) entry.meta.push(line);
        continue;
      }
      if (line.startsWith('#')) continue;
      const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
      if (!name) continue;
      // A histogram's _bucket, _sum and _count lines belong to the family declared before them.
      const owner = current !== null && name.startsWith(current) ? current : name;
      family(owner).samples.push(withHost(line, name, host));
    }
  }
  const out: string[] = [];
  for (const { meta, samples } of families.values()) out.push(...meta, ...samples);
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

/** `name{a="b"} 1` → `name{host="H",a="b"} 1`; `name 1` → `name{host="H"} 1`. */
function withHost(line: string, name: string, host: string): string {
  const rest = line.slice(name.length);
  const label = `host="${host.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
  if (rest.startsWith('{}')) return `${name}{${label}}${rest.slice(2)}`;
  if (rest.startsWith('{')) return `${name}{${label},${rest.slice(1)}`;
  return `${name}{${label}}${rest}`;
}
