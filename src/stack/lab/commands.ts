/**
 * The command lines the lab runs, as argv arrays (never shell strings): ip for the network,
 * unshare/nsenter/mount for each host's namespaces, ssh-keygen and sshd for its login. Pure
 * builders, so the tests can check the exact command line; lab.ts executes them.
 */
import type { Argv } from '../host/local.js';
import type { LabHostPaths } from './paths.js';
import { withPrefix } from './topology.js';

export const ip = {
  netnsAdd: (name: string): Argv => ['ip', 'netns', 'add', name],
  netnsDelete: (name: string): Argv => ['ip', 'netns', 'delete', name],
  netnsList: (): Argv => ['ip', '-j', 'netns', 'list'],
  netnsPids: (name: string): Argv => ['ip', 'netns', 'pids', name],
  bridgeAdd: (bridge: string, mac: string): Argv => [
    'ip',
    'link',
    'add',
    bridge,
    'address',
    mac,
    'type',
    'bridge',
  ],
  /** The alias records which directory owns the lab, so that a second `lab up` can name it. */
  linkAlias: (link: string, alias: string): Argv => ['ip', 'link', 'set', 'dev', link, 'alias', alias],
  /** A veth pair whose far end is created straight inside the namespace as eth0. */
  vethAdd: (veth: string, netns: string): Argv => [
    'ip',
    'link',
    'add',
    veth,
    'type',
    'veth',
    'peer',
    'name',
    'eth0',
    'netns',
    netns,
  ],
  linkMaster: (link: string, bridge: string): Argv => ['ip', 'link', 'set', 'dev', link, 'master', bridge],
  linkUp: (link: string, netns?: string): Argv => [...inNetns(netns), 'link', 'set', 'dev', link, 'up'],
  linkDown: (link: string, netns?: string): Argv => [...inNetns(netns), 'link', 'set', 'dev', link, 'down'],
  linkDelete: (link: string): Argv => ['ip', 'link', 'delete', 'dev', link],
  linkShow: (link?: string, netns?: string): Argv => [
    ...inNetns(netns, true),
    'link',
    'show',
    ...(link ? ['dev', link] : []),
  ],
  addrAdd: (address: string, link: string, netns?: string): Argv => [
    ...inNetns(netns),
    'addr',
    'add',
    withPrefix(address),
    'dev',
    link,
  ],
  /** `cidr` is ADDR/PREFIX exactly as `ip -j addr show` lists it. */
  addrDelete: (cidr: string, link: string, netns?: string): Argv => [
    ...inNetns(netns),
    'addr',
    'delete',
    cidr,
    'dev',
    link,
  ],
  addrShow: (netns?: string): Argv => [...inNetns(netns, true), 'addr', 'show'],
  routeGet: (address: string, netns?: string): Argv => [...inNetns(netns), 'route', 'get', address],
};

function inNetns(netns: string | undefined, json = false): ['ip', ...string[]] {
  return ['ip', ...(json ? ['-j'] : []), ...(netns ? ['-n', netns] : [])];
}

/** Path of the network namespace `ip netns add` pins. */
export function netnsPath(name: string): string {
  return `/run/netns/${name}`;
}

/**
 * Creates the host's persistent mount and UTS namespaces from inside its network namespace:
 * unshare bind-mounts them onto the two files, so that they outlive this command. Propagation
 * private: nothing mounted inside ever reaches the root namespace.
 */
export function createHostNamespaces(name: string, paths: LabHostPaths): Argv {
  return [
    'nsenter',
    `--net=${netnsPath(name)}`,
    '--',
    'unshare',
    `--mount=${paths.mntNs}`,
    `--uts=${paths.utsNs}`,
    '--propagation',
    'private',
    'true',
  ];
}

/** Runs a command inside the host: its network, mount and UTS namespaces. */
export function inHost(name: string, paths: LabHostPaths, argv: Argv): Argv {
  return [
    'nsenter',
    `--net=${netnsPath(name)}`,
    `--mount=${paths.mntNs}`,
    `--uts=${paths.utsNs}`,
    '--',
    ...argv,
  ];
}

/** Only inside the host's network namespace (for its sysctls, which are per network namespace). */
export function inNetnsOnly(name: string, argv: Argv): Argv {
  return ['nsenter', `--net=${netnsPath(name)}`, '--', ...argv];
}

export const mount = {
  bind: (source: string, target: string): Argv => ['mount', '--bind', source, target],
  makePrivate: (target: string): Argv => ['mount', '--make-private', target],
  sysfs: (): Argv => ['mount', '-t', 'sysfs', 'sysfs', '/sys'],
  lazyUnmount: (target: string): Argv => ['umount', '--lazy', target],
  /**
   * Every nsfs mount a new mount namespace inherited (/run/netns/*, other hosts' namespace files):
   * each copy would keep another namespace alive, so links would linger after `ip netns delete`.
   */
  unmountInheritedNamespaces: (): Argv => ['umount', '--all', '--lazy', '--types', 'nsfs'],
};

export const sysctl = {
  /** IPv6 off: no link-local addresses, so no router solicitations or MLD chatter on the lab links. */
  ipv6Off: (links: readonly string[]): Argv => [
    'sysctl',
    '-q',
    '-w',
    ...links.map((link) => `net.ipv6.conf.${link}.disable_ipv6=1`),
  ],
  /** The root namespace never routes what arrives from the bridge: the lab has no way out. */
  forwardingOff: (link: string): Argv => ['sysctl', '-q', '-w', `net.ipv4.conf.${link}.forwarding=0`],
};

export function setHostname(name: string): Argv {
  return ['hostname', name];
}

export function sshKeygen(file: string, comment: string): Argv {
  return ['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file];
}

/** sshd in the foreground (the lab owns its PID), logging to a file: there is no syslog. */
export function sshd(paths: LabHostPaths): Argv {
  return ['/usr/sbin/sshd', '-D', '-f', paths.sshdConfig, '-E', paths.sshdLog];
}

/** Checks a config without starting anything. */
export function sshdTest(paths: LabHostPaths): Argv {
  return ['/usr/sbin/sshd', '-t', '-f', paths.sshdConfig];
}

/** The environment sshd starts with: nothing inherited from the operator's shell. */
export const MINIMAL_ENV: NodeJS.ProcessEnv = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C.UTF-8',
};

export function killAll(pids: readonly number[]): Argv {
  return ['kill', '-KILL', ...pids.map(String)];
}

/** `ip netns pids` prints one PID a line. */
export function parsePids(stdout: string): number[] {
  return stdout
    .split('\n')
    .map((line) => Number.parseInt(line.trim(), 10))
    .filter((pid) => Number.isInteger(pid) && pid > 0);
}
