import type { ChildProcess } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { join } from 'node:path';
import { delay, settlesWithin } from '../../src/stack/core/timing.js';
import { makeTempDir, removePath, start, writeFileAtomic } from '../../src/stack/host/local.js';
import * as dns from './dns-commands.js';
import { renderNamedConf } from './named-conf.js';

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
  const dir = await makeTempDir('webstack-named-');
  const conf = join(dir, 'named.conf');
  await writeFileAtomic(
    conf,
    renderNamedConf({ dir, port: options.port, domain: options.domain, zoneFile: options.zoneFile }),
  );
  const child = start(dns.named(conf, options.port), { stdio: ['ignore', 'ignore', 'pipe'] });
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
    await removePath(dir);
  };
  const resolver = new Resolver({ timeout: 300, tries: 1 });
  resolver.setServers([`127.0.0.1:${options.port}`]);
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  while (true) {
    const answered = await resolver.resolveSoa(options.domain).then(
      () => true,
      () => false,
    );
    if (answered) {
      resolver.cancel();
      break;
    }
    const ended = child.exitCode !== null || child.signalCode !== null || child.pid === undefined;
    if (ended || Date.now() > deadline) {
      await stop();
      const reason =
        output.split('\n').find((line) => /error|failed|couldn't|permission/i.test(line)) ??
        output.trim().split('\n').at(-1);
      // A test helper's failure, not one an operator meets: a plain Error (the stack's table has no entry).
      throw new Error(`named did not answer on 127.0.0.1:${options.port}: ${reason ?? 'no output'}`);
    }
    await delay(100);
  }
  return { port: options.port, pid: child.pid ?? 0, child, stop };
}
