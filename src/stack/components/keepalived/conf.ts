import { isIPv4 } from 'node:net';
import { WebstackError } from '../../core/errors.js';
import type { AddressInfo } from '../../core/ip-json.js';

export interface KeepalivedConfOptions {
  /** This lb's name (keepalived's router_id, in its log lines). */
  name: string;
  /** The interface that holds this host's address, where the floating address goes too. */
  interface: string;
  /** This host's own address: the source of its adverts. */
  address: string;
  /** The other lb's address: adverts go to it alone (unicast, no multicast on the network). */
  peer: string;
  vip: string;
  /** The prefix of the interface's subnet, which the floating address lies in. */
  prefixLength: number;
  routerId: number;
  advertIntervalMs: number;
  /** The first lb of the inventory wins when both start together; after that nobody preempts. */
  priority: number;
  /** The check of this host's Nginx, as argv: run each second, two failures in a row give up the address. */
  check: readonly string[];
}

/** What keepalived's script parser takes without quoting: no spaces, quotes or shell characters. */
const PLAIN_ARG = /^[A-Za-z0-9_./:=@%+-]+$/;

/**
 * keepalived's config for one of the two lbs: VRRPv3 with unicast peers, both in state BACKUP with
 * `nopreempt`, so the address moves only when its holder fails (a host coming back does not take
 * it back: no second interruption). VRRPv3 has no authentication; the firewall accepts VRRP only
 * from the peer's address instead. The address is held only while this host's Nginx answers.
 */
export function renderKeepalivedConf(o: KeepalivedConfOptions): string {
  for (const [field, value] of [
    ['address', o.address],
    ['peer', o.peer],
    ['vip', o.vip],
  ] as const)
    if (!isIPv4(value)) throw new WebstackError('KEEPALIVED_CONF_INVALID', field, value);
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(o.name))
    throw new WebstackError('KEEPALIVED_CONF_INVALID', 'name', o.name);
  if (!/^[A-Za-z0-9_.@-]{1,15}$/.test(o.interface))
    throw new WebstackError('KEEPALIVED_CONF_INVALID', 'interface', o.interface);
  if (o.check.length === 0 || !o.check.every((arg) => PLAIN_ARG.test(arg)))
    throw new WebstackError('KEEPALIVED_CONF_INVALID', 'check', o.check.join(' '));
  if (!Number.isInteger(o.advertIntervalMs / 10) || o.advertIntervalMs < 10 || o.advertIntervalMs > 40_950)
    throw new WebstackError('KEEPALIVED_CONF_INVALID', 'advert interval', `${o.advertIntervalMs} ms`);
  const lines = [
    '# Written by webstack on every start; keepalived runs it in the foreground.',
    'global_defs {',
    `  router_id ${o.name}`,
    '  vrrp_version 3',
    // The check runs as nobody, and keepalived refuses a script that user could have changed.
    '  script_user nobody nogroup',
    '  enable_script_security',
    '}',
    '',
    // Three misses in a row give the address up: a busy lb whose Nginx is slow to answer once or
    // twice keeps it (a 2-core lab host under load flapped with two misses of 1 s). A host that
    // dies is seen by its peer within three adverts, whatever this check says.
    'vrrp_script webstack_nginx {',
    `  script "${o.check.join(' ')}"`,
    '  interval 1',
    '  timeout 3',
    '  fall 3',
    '  rise 2',
    '}',
    '',
    'vrrp_instance webstack {',
    '  state BACKUP',
    '  nopreempt',
    `  interface ${o.interface}`,
    `  virtual_router_id ${o.routerId}`,
    `  priority ${o.priority}`,
    `  advert_int ${(o.advertIntervalMs / 1000).toFixed(2)}`,
    `  unicast_src_ip ${o.address}`,
    '  unicast_peer {',
    `    ${o.peer}`,
    '  }',
    '  virtual_ipaddress {',
    `    ${o.vip}/${o.prefixLength} dev ${o.interface}`,
    '  }',
    '  track_script {',
    '    webstack_nginx',
    '  }',
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

/** The 32-bit value of a dotted IPv4 address. */
function toNumber(address: string): number {
  return address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

/** Whether A and B are in the same IPv4 subnet of PREFIX bits. */
export function sameSubnet(a: string, b: string, prefixLength: number): boolean {
  const size = 2 ** (32 - prefixLength);
  return Math.floor(toNumber(a) / size) === Math.floor(toNumber(b) / size);
}

/**
 * Where the floating address goes: the interface holding this host's ADDRESS (from `ip -j -4
 * addr`), and its subnet, which must contain VIP; the other lb answers on the same link.
 */
export function vipPlacement(
  addresses: readonly AddressInfo[],
  address: string,
  vip: string,
): { interface: string; prefixLength: number } {
  const own = addresses.find((a) => a.cidr.split('/')[0] === address);
  if (!own) throw new WebstackError('VIP_NO_INTERFACE', address);
  const prefixLength = Number(own.cidr.split('/')[1]);
  if (!sameSubnet(address, vip, prefixLength) || prefixLength > 30)
    throw new WebstackError('VIP_OUTSIDE_SUBNET', vip, own.cidr, own.link);
  return { interface: own.link, prefixLength };
}

/** Whether ADDRESSES (from `ip -j -4 addr`) hold VIP: this host is the one that serves it. */
export function holdsVip(addresses: readonly AddressInfo[], vip: string): boolean {
  return addresses.some((a) => a.cidr.split('/')[0] === vip);
}
