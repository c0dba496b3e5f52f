import type { ChildProcess } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { settlesWithin } from '../../src/stack/core/timing.js';
import { localHost } from '../../src/stack/host/index.js';
import * as dns from './dns-commands.js';
import { renderNamedConf } from './named-conf.js';
import { waitFor } from './wait.js';

export interface TestDns {
  port: number;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * A real authoritative named on 127.0.0.1:PORT serving one zone file, as a foreground child
 * (no -u: as root it keeps running as root, which it needs to read a zone in a private temp dir).
 */
export async function startTestDns(options: {
  zoneFile: string;
  domain: string;
  port: number;
  timeoutMs?: number;
}): Promise<TestDns> {
  const dir = await localHost.makeTempDir(join(tmpdir(), 'webstack-named-'));
  const conf = join(dir, 'named.conf');
  await localHost.writeAtomic(
    conf,
    renderNamedConf({ dir, port: options.port, domain: options.domain, zoneFile: options.zoneFile }),
    { mode: 0o644 },
  );
  const child = localHost.start(dns.named(conf, options.port), { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-8192);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', () => undefined); // surfaces as an exit without a pid below
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const gone = await settlesWithin(exited, 5000);
      if (!gone) child.kill('SIGKILL');
      await exited;
    }
    await localHost.remove(dir);
  };
  const resolver = new Resolver({ timeout: 300, tries: 1 });
  resolver.setServers([`127.0.0.1:${options.port}`]);
  const ended = () => child.exitCode !== null || child.signalCode !== null || child.pid === undefined;
  try {
    await waitFor(
      () =>
        resolver.resolveSoa(options.domain).then(
          () => true,
          () => false,
        ),
      {
        what: `named to answer for ${options.domain}`,
        timeoutMs: options.timeoutMs ?? 15_000,
        giveUp: () => ended() && 'named exited',
      },
    );
    resolver.cancel();
  } catch {
    await stop();
    const reason =
      output.split('\n').find((line) => /error|failed|couldn't|permission/i.test(line)) ??
      output.trim().split('\n').at(-1);
    // A test helper's failure, not one an operator meets: a plain Error (the stack's table has no entry).
    throw new Error(`named did not answer on 127.0.0.1:${options.port}: ${reason ?? 'no output'}`);
  }
  return { port: options.port, pid: child.pid ?? 0, child, stop };
}
