import { localHost } from '../host/local.js';
import { ip, sysctl } from './commands.js';
import { attempt } from './exec.js';
import { parseAddresses, parseLinks, parseNetnsNames, runtimeAddresses } from './ip-json.js';
import { LAB_NETWORK, type LabHostPlan, withPrefix } from './topology.js';

/** The alias of the lab's bridge (the directory that owns it), or null when there is no bridge. */
export async function bridgeOwner(): Promise<string | null> {
  try {
    const { stdout } = await localHost.run(ip.linkShow(LAB_NETWORK.bridge), { timeoutMs: 10_000 });
    const parsed = JSON.parse(stdout) as { ifalias?: string }[];
    return parsed[0]?.ifalias ?? '';
  } catch {
    return null;
  }
}

export async function netnsNames(): Promise<string[]> {
  return parseNetnsNames((await localHost.run(ip.netnsList())).stdout);
}

/** The bridge in the root namespace: fixed MAC, the lab's .1, IPv6 off, never forwarding. */
export async function createBridge(owner: string): Promise<void> {
  const bridge = LAB_NETWORK.bridge;
  await localHost.run(ip.bridgeAdd(bridge, LAB_NETWORK.bridgeMac));
  await localHost.run(ip.linkAlias(bridge, owner));
  await localHost.run(sysctl.ipv6Off([bridge]));
  await localHost.run(sysctl.forwardingOff(bridge));
  await localHost.run(ip.addrAdd(LAB_NETWORK.bridgeAddress, bridge));
  await localHost.run(ip.linkUp(bridge));
}

/** The host's veth pair: eth0 inside with its address, the other end on the bridge. */
export async function connectHost(host: LabHostPlan): Promise<void> {
  await localHost.run(ip.vethAdd(host.veth, host.name));
  await localHost.run(sysctl.ipv6Off([host.veth]));
  await localHost.run(ip.linkMaster(host.veth, LAB_NETWORK.bridge));
  await localHost.run(ip.linkUp(host.veth));
  await localHost.run(ip.addrAdd(host.address, 'eth0', host.name));
  await localHost.run(ip.linkUp('lo', host.name));
  await localHost.run(ip.linkUp('eth0', host.name));
}

/** Every link inside the namespace down: a dead kernel answers nothing (no RST, no ARP). */
export async function allLinksDown(netns: string): Promise<void> {
  const links = parseLinks((await localHost.run(ip.linkShow(undefined, netns))).stdout);
  for (const link of links) if (link.up) await localHost.run(ip.linkDown(link.name, netns));
}

/** A reboot's network: links up again, and only the host's own addresses on them. */
export async function bootNetwork(host: LabHostPlan): Promise<string[]> {
  const addresses = parseAddresses((await localHost.run(ip.addrShow(host.name))).stdout);
  const removed = runtimeAddresses(addresses, withPrefix(host.address));
  for (const address of removed) await localHost.run(ip.addrDelete(address.cidr, address.link, host.name));
  const links = parseLinks((await localHost.run(ip.linkShow(undefined, host.name))).stdout);
  for (const name of ['lo', 'eth0'])
    if (!links.find((l) => l.name === name)?.up) await localHost.run(ip.linkUp(name, host.name));
  return removed.map((address) => `${address.cidr} on ${address.link}`);
}

/** The host's cable: the bridge's end of its veth. */
export async function cutLink(host: LabHostPlan): Promise<void> {
  await localHost.run(ip.linkDown(host.veth));
}

export async function restoreLink(host: LabHostPlan): Promise<void> {
  await localHost.run(ip.linkUp(host.veth));
}

export async function linkIsUp(link: string, netns?: string): Promise<boolean | null> {
  try {
    const links = parseLinks((await localHost.run(ip.linkShow(link, netns), { timeoutMs: 10_000 })).stdout);
    return links[0]?.up ?? null;
  } catch {
    return null;
  }
}

/** Removes the lab's links; what is already gone is fine. */
export async function removeNetwork(hosts: readonly LabHostPlan[]): Promise<void> {
  for (const host of hosts) await attempt(ip.linkDelete(host.veth));
  await attempt(ip.linkDelete(LAB_NETWORK.bridge));
}
