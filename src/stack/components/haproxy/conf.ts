import { isIPv4 } from 'node:net';
import { WebstackError } from '../../core/errors.js';

export interface HaproxyConfOptions {
  /** Where the site connects: loopback and the database port. */
  listen: { address: string; port: number };
  /** The cluster's nodes in inventory order: the first is the writer, the others wait as backups. */
  servers: readonly { name: string; address: string; port: number }[];
  /** The nodes' health agent port (an HTTP check: 200 only when the node is Synced and ready). */
  checkPort: number;
  pidFile: string;
  /** The admin socket (0600): `show servers state` tells which node takes the writes. */
  statsSocket: string;
}

/**
 * HAProxy in front of a Galera cluster, on an app host: TCP only (the MariaDB protocol, TLS end to
 * end), one writer at a time. Galera's own advice: several writers meet commit-time deadlocks
 * (1213) and read what another node has not applied yet. A node is checked each second over
 * HTTP by its health agent and leaves after two failed checks (the second 250 ms after the first); its sessions are shut down then, so
 * the site reconnects to the next node at once instead of waiting on a dead socket. The stick table
 * keeps the writer where it is when a failed node comes back (no flip-flop between writers).
 */
export function renderHaproxyConf(o: HaproxyConfOptions): string {
  for (const path of [o.pidFile, o.statsSocket])
    if (!/^\/[A-Za-z0-9._/-]+$/.test(path)) throw new WebstackError('HAPROXY_CONF_INVALID', 'path', path);
  if (!isIPv4(o.listen.address)) throw new WebstackError('HAPROXY_CONF_INVALID', 'listen', o.listen.address);
  if (o.servers.length === 0) throw new WebstackError('HAPROXY_CONF_INVALID', 'servers', 'none');
  for (const server of o.servers) {
    if (!/^[a-z][a-z0-9-]{0,62}$/.test(server.name))
      throw new WebstackError('HAPROXY_CONF_INVALID', 'server name', server.name);
    if (!isIPv4(server.address))
      throw new WebstackError('HAPROXY_CONF_INVALID', 'server address', server.address);
  }
  const lines = [
    '# Written by webstack on every start; HAProxy runs it in the foreground (-db).',
    'global',
    '    maxconn 2000',
    `    pidfile ${o.pidFile}`,
    `    stats socket ${o.statsSocket} mode 600 level operator`,
    '',
    'defaults',
    '    mode tcp',
    '    timeout connect 2s',
    // The site's pool keeps connections open between requests; MariaDB's wait_timeout ends idle ones.
    '    timeout client 8h',
    '    timeout server 8h',
    '    timeout check 1s',
    '',
    'listen galera',
    `    bind ${o.listen.address}:${o.listen.port}`,
    '    option httpchk GET /',
    '    http-check expect status 200',
    '    stick-table type ip size 1',
    '    stick on dst',
    // After a first failed check the next comes after 250 ms: a node is out within about 1.3 s.
    `    default-server inter 1s fastinter 250ms fall 2 rise 2 port ${o.checkPort} on-marked-down shutdown-sessions`,
    ...o.servers.map(
      (server, index) =>
        `    server ${server.name} ${server.address}:${server.port} check${index === 0 ? '' : ' backup'}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
