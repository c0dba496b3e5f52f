/**
 * Free loopback ports for test servers, picked BELOW the kernel's ephemeral range
 * (/proc/sys/net/ipv4/ip_local_port_range, 32768–60999 here). A port from listen(0) comes from
 * that range, so between "found free" and "bound by nginx 30 s later" it could be handed to any
 * other listen(0) or outgoing connection of a test running alongside; ports below it are only
 * ever taken by someone who asks for them by number.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const LOW = 20_000;
const HIGH = 32_000;

/**
 * Ports this process handed out: a port is only found free, not held, until its server binds it,
 * so two picks of one test (an HTTPS port bound once a certificate exists, and Pebble's) could
 * otherwise be the same number, as once in CI.
 */
const handedOut = new Set<number>();

function candidate(): number {
  for (;;) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (!handedOut.has(port)) return port;
  }
}

function handOut(port: number): number {
  handedOut.add(port);
  return port;
}

async function tcpFree(port: number): Promise<boolean> {
  const server = createServer();
  return await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

async function udpFree(port: number): Promise<boolean> {
  const socket = createSocket('udp4');
  return await new Promise<boolean>((resolve) => {
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

/** A TCP port free on 127.0.0.1. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = candidate();
    if (await tcpFree(port)) return handOut(port);
  }
  throw new Error('no free TCP port below the ephemeral range');
}

/** A port free for both UDP and TCP on 127.0.0.1 (a DNS server listens on both). */
export async function freeDnsPort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = candidate();
    if ((await udpFree(port)) && (await tcpFree(port))) return handOut(port);
  }
  throw new Error('no free UDP+TCP port below the ephemeral range');
}
