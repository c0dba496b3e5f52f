/** `webstack lab status`: what each host looks like from the root namespace right now. */
import { hostPids } from './host.js';
import { linkIsUp } from './network.js';
import { type LabPaths, labPaths } from './paths.js';
import { checkLabDir, requireRoot } from './preflight.js';
import { tcpAnswers } from './probe.js';
import { requireLabState } from './state.js';

export interface LabHostStatus {
  name: string;
  role: string;
  address: string;
  sshd: boolean;
  /** Off after `lab crash`: its links inside are down. */
  power: 'on' | 'off';
  /** Cut by `lab isolate`: the bridge's end of its veth is down. */
  link: 'up' | 'cut' | 'missing';
  processes: number;
}

export async function labStatus(options: {
  dir: string;
}): Promise<{ paths: LabPaths; hosts: LabHostStatus[] }> {
  requireRoot('status');
  const paths = labPaths(await checkLabDir(options.dir));
  const state = await requireLabState(paths);
  const hosts = await Promise.all(
    state.hosts.map(async (host): Promise<LabHostStatus> => {
      const [sshd, up, eth0Up, pids] = await Promise.all([
        tcpAnswers(host.address, 22, 1000),
        linkIsUp(host.veth),
        linkIsUp('eth0', host.name),
        hostPids(host.name),
      ]);
      return {
        name: host.name,
        role: host.role,
        address: host.address,
        sshd,
        power: eth0Up ? 'on' : 'off',
        link: up === null ? 'missing' : up ? 'up' : 'cut',
        processes: pids.length,
      };
    }),
  );
  return { paths, hosts };
}
