/** Readers of `ip -j` output (links and addresses): only the fields webstack uses. */

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

export function records(stdout: string): Record<string, unknown>[] {
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
