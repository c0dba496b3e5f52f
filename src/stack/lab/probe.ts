import { createConnection } from 'node:net';

/**
 * True if something accepts a TCP connection on ADDR:PORT within the bound. The lab's way to ask
 * "is this host up": the machine has no ping, and an answering sshd is what later verbs need.
 */
export async function tcpAnswers(address: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = createConnection({ host: address, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
