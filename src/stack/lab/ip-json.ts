/** Readers of `ip -j` output that only the lab uses; links and addresses are in core/ip-json.ts. */
import { type AddressInfo, records } from '../core/ip-json.js';

export { type AddressInfo, type LinkInfo, parseAddresses, parseLinks } from '../core/ip-json.js';

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
