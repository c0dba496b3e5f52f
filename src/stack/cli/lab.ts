import { WebstackError } from '../core/errors.js';
import { labCrash, labDown, labHeal, labIsolate, labStart, labUp } from '../lab/lab.js';
import { DEFAULT_LAB_DIR, labPaths } from '../lab/paths.js';
import { sshCommand } from '../lab/sshd-config.js';
import { labStatus } from '../lab/status.js';
import { LAB_ROLES, type LabCounts } from '../lab/topology.js';
import { table } from './output.js';

export interface LabOptions {
  dir?: string;
  lb?: string;
  app?: string;
  db?: string;
  json?: boolean;
  args?: string[];
}

function count(role: string, value: string | undefined): number {
  const parsed = value === undefined ? 0 : Number(value);
  if (!/^\d+$/.test(value ?? '0')) throw new WebstackError('LAB_BAD_COUNT', role, String(value));
  return parsed;
}

const dirOf = (options: LabOptions) => options.dir ?? DEFAULT_LAB_DIR;
const dirFlag = (options: LabOptions) => (options.dir ? ` --dir ${options.dir}` : '');

function hostName(options: LabOptions): string {
  const name = options.args?.[0];
  if (!name) throw new WebstackError('LAB_HOST_MISSING');
  return name;
}

export async function labUpVerb(options: LabOptions): Promise<number> {
  const counts = Object.fromEntries(LAB_ROLES.map((role) => [role, count(role, options[role])])) as LabCounts;
  const began = Date.now();
  const state = await labUp({ dir: dirOf(options), counts, log: (line) => console.log(line) });
  const paths = labPaths(state.dir);
  const first = state.hosts[0];
  console.log(
    `lab up in ${((Date.now() - began) / 1000).toFixed(1)}s: ${state.hosts.length} hosts in ${state.dir}`,
  );
  console.log(`inventory: ${paths.inventory}`);
  if (first)
    console.log(`log in:    ${sshCommand(paths.operatorKey, paths.knownHosts, first.address).join(' ')}`);
  console.log(`run on it: webstack up --config ${paths.inventory}`);
  console.log(`status:    webstack lab status${dirFlag(options)}`);
  console.log(`remove:    webstack lab down${dirFlag(options)}`);
  return 0;
}

export async function labDownVerb(options: LabOptions): Promise<number> {
  const removed = await labDown({ dir: dirOf(options), log: (line) => console.log(line) });
  console.log(removed ? `lab in ${dirOf(options)} removed` : `there is no lab in ${dirOf(options)}`);
  return 0;
}

export async function labCrashVerb(options: LabOptions): Promise<number> {
  const name = hostName(options);
  const killed = await labCrash({ dir: dirOf(options), name });
  console.log(
    `${name} lost power: ${killed.length} process${killed.length === 1 ? '' : 'es'} killed, its links are down`,
  );
  return 0;
}

export async function labStartVerb(options: LabOptions): Promise<number> {
  const name = hostName(options);
  const booted = await labStart({ dir: dirOf(options), name });
  if (booted === null) console.log(`${name} is already running`);
  else
    console.log(
      `${name} booted: links up${booted.removed.length ? `, removed ${booted.removed.join(', ')}` : ''}; sshd up`,
    );
  return 0;
}

export async function labIsolateVerb(options: LabOptions): Promise<number> {
  const name = hostName(options);
  await labIsolate({ dir: dirOf(options), name });
  console.log(
    `${name} is cut off the lab network (\`webstack lab heal ${name}${dirFlag(options)}\` restores it)`,
  );
  return 0;
}

export async function labHealVerb(options: LabOptions): Promise<number> {
  const name = hostName(options);
  await labHeal({ dir: dirOf(options), name });
  console.log(`${name} is back on the lab network`);
  return 0;
}

export async function labStatusVerb(options: LabOptions): Promise<number> {
  const { hosts } = await labStatus({ dir: dirOf(options) });
  if (options.json) {
    console.log(JSON.stringify({ hosts }, null, 2));
    return 0;
  }
  console.log(
    table(
      ['HOST', 'ROLE', 'ADDRESS', 'SSHD', 'POWER', 'LINK', 'PROCESSES'],
      hosts.map((h) => [
        h.name,
        h.role,
        h.address,
        h.sshd ? 'answers' : 'silent',
        h.power,
        h.link,
        String(h.processes),
      ]),
    ),
  );
  return 0;
}
