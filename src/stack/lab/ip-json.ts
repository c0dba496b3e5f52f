/** Readers of `ip -j` output: only the fields the lab uses. */

export interface LinkInfo {
  name: string;
  /** Administratively up (the UP flag), whatever the carrier. */
  up: boolean;
}

export interface AddressInfo {
  link: string;
  /** ADDR/PREFIX, as `ip addr delete` takes it. */
  cidr: string;
}

function records(stdout: string): Record<string, unknown>[] {
  const text = stdout.trim();
  if (text === '') return [];
  const parsed: unknown = JSON.parse(text);
  return Array.isArray(parsed) ? (parsed as Record<string, unknown>[]) : [];
}

export function parseLinks(stdout: string): LinkInfo[] {
  return records(stdout).flatMap((link) => {
    if (typeof link.ifname !== 'string') return [];
    const flags = Array.isArray(link.flags) ? link.flags : [];
    return [{ name: link.ifname, up: flags.includes('UP') }];
  });
}

export function parseAddresses(stdout: string): AddressInfo[] {
  return records(stdout).flatMap((link) => {
    if (typeof link.ifname !== 'string' || !Array.isArray(link.addr_info)) return [];
    const name = link.ifname;
    return (link.addr_info as Record<string, unknown>[]).flatMap((info) =>
      typeof info.local === 'string' && typeof info.prefixlen === 'number'
        ? [{ link: name, cidr: `${info.local}/${info.prefixlen}` }]
        : [],
    );
  });
}

/** `ip -j netns list` gives [{ "name": … }, …] (and nothing at all when there are none). */
export function parseNetnsNames(stdout: string): string[] {
  return records(stdout).flatMap((ns) => (typeof ns.name === 'string' ? [ns.name] : []));
}

/**
 * The addresses a lab host boots with: its own on eth0 and loopback. Anything else (a floating
 * address keepalived added, say) was added at runtime and goes away with a reboot.
 */
export function runtimeAddresses(addresses: readonly AddressInfo[], ownCidr: string): AddressInfo[] {
  return addresses.filter(
    (a) => !(a.link === 'eth0' && a.cidr === ownCidr) && !(a.link === 'lo' && a.cidr === '127.0.0.1/8'),
  );
}
