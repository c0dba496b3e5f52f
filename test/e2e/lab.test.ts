/**
 * `webstack lab` end to end, as root: the real CLI makes three hosts in network namespaces, and
 * the test reaches them over SSH with the lab's key and known_hosts, as an operator would.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { cli, webstackBin } from '../support/stack.js';

const isRoot = process.getuid?.() === 0;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function exec(file: string, args: readonly string[], timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Polls check() until it holds; fails after the bound. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(100);
  }
}

/** How a TCP connect ends: 'connected', or the error (ECONNREFUSED means a RST came back). */
function tcpOutcome(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (outcome: string) => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(1000, () => done('timeout'));
    socket.once('connect', () => done('connected'));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? 'error'));
  });
}

async function tcpAnswers(host: string, port: number): Promise<boolean> {
  return (await tcpOutcome(host, port)) === 'connected';
}

describe('webstack lab, end to end', { skip: isRoot ? false : 'needs root (network namespaces)' }, () => {
  // Root-owned and closed to others all the way up, as sshd's StrictModes wants (not /tmp).
  const parent = isRoot ? mkdtempSync('/var/lib/webstack-lab-e2e-') : '';
  const dir = join(parent, 'lab');
  const lab = (...args: string[]) => cli(['lab', ...args, '--dir', dir], { timeoutMs: 120_000 });
  const key = join(dir, 'id_ed25519');
  const knownHosts = join(dir, 'known_hosts');
  const address = { lb1: '198.18.0.11', app1: '198.18.0.12', app2: '198.18.0.13' } as const;
  let outsider: Server;
  let outsiderPort = 0;

  const ssh = (to: string, command: string) =>
    exec('ssh', [
      '-i',
      key,
      '-o',
      'BatchMode=yes',
      '-o',
      `UserKnownHostsFile=${knownHosts}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'ConnectTimeout=5',
      `root@${to}`,
      command,
    ]);

  // Namespaces and the bridge belong to the whole machine: a run stopped by a signal removes the
  // lab too (after() does not run then).
  const downOnSignal = (signal: NodeJS.Signals) => {
    try {
      execFileSync(process.execPath, [webstackBin, 'lab', 'down', '--dir', dir], {
        stdio: 'ignore',
        timeout: 60_000,
      });
      rmSync(parent, { recursive: true, force: true });
    } finally {
      process.kill(process.pid, signal);
    }
  };

  before(async () => {
    process.once('SIGTERM', downOnSignal);
    process.once('SIGINT', downOnSignal);
    // A listener in the root namespace, on every address: outside the lab, lab hosts must not reach it.
    outsider = createServer((socket) => {
      socket.on('error', () => {}); // probes hang up at once
      socket.end('outside\n');
    });
    await new Promise<void>((resolve) => outsider.listen(0, '0.0.0.0', resolve));
    const bound = outsider.address();
    outsiderPort = typeof bound === 'object' && bound ? bound.port : 0;
  });

  after(async () => {
    process.off('SIGTERM', downOnSignal);
    process.off('SIGINT', downOnSignal);
    await lab('down');
    outsider.close();
    await rm(parent, { recursive: true, force: true });
  });

  test('lab up makes lb1, app1 and app2 and writes their inventory', async () => {
    const began = Date.now();
    const up = await lab('up', '--lb', '1', '--app', '2', '--db', '0');
    console.log(`lab up took ${((Date.now() - began) / 1000).toFixed(1)} s (CLI included)`);
    assert.equal(up.code, 0, up.stderr + up.stdout);
    assert.match(up.stdout, new RegExp(`webstack up --config ${join(dir, 'lab.json')}`));
    const inventory = JSON.parse(readFileSync(join(dir, 'lab.json'), 'utf8')) as {
      hosts: {
        name: string;
        address: string;
        roles: string[];
        ssh: { user: string; identityFile: string };
      }[];
    };
    assert.deepEqual(
      inventory.hosts.map((h) => [h.name, h.address, h.roles, h.ssh.user, h.ssh.identityFile]),
      [
        ['lb1', address.lb1, ['lb'], 'root', key],
        ['app1', address.app1, ['app'], 'root', key],
        ['app2', address.app2, ['app'], 'root', key],
      ],
    );
  });

  test('a second lab up is refused with the fix', async () => {
    const again = await lab('up', '--app', '1');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /error LAB_EXISTS: .*\nfix: .*webstack lab down/);
  });

  test('each host answers over SSH with its own hostname', async () => {
    for (const [name, ip] of Object.entries(address)) {
      const result = await ssh(ip, 'hostname');
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.trim(), name);
    }
  });

  test('each host has its own /var/lib/webstack, invisible to the others and to the machine', async () => {
    const marker = `lab-e2e-${process.pid}`;
    const write = await ssh(address.app1, `echo app1 > /var/lib/webstack/${marker}`);
    assert.equal(write.code, 0, write.stderr);
    assert.equal((await ssh(address.app1, `cat /var/lib/webstack/${marker}`)).stdout, 'app1\n');
    const onApp2 = await ssh(address.app2, `test -e /var/lib/webstack/${marker}`);
    assert.equal(onApp2.code, 1, 'app2 sees app1’s file');
    assert.equal(existsSync(`/var/lib/webstack/${marker}`), false, 'the machine sees app1’s file');
    assert.equal(readFileSync(join(dir, 'hosts', 'app1', 'var-lib-webstack', marker), 'utf8'), 'app1\n');
  });

  test('a lab host reaches the lab and nothing outside it', async () => {
    const route = await exec('ip', ['-n', 'app1', 'route', 'get', '8.8.8.8']);
    assert.notEqual(route.code, 0);
    assert.match(route.stderr, /Network is unreachable/);
    assert.equal(
      await tcpAnswers('127.0.0.1', outsiderPort),
      true,
      'the outside listener serves the machine',
    );
    // bash's /dev/tcp: a TCP connect from inside the host, with no extra tool.
    const connect = (ip: string, port: number) =>
      ssh(address.app1, `timeout 3 bash -c 'exec 3<>/dev/tcp/${ip}/${port}' && echo connected`);
    assert.equal((await connect(address.lb1, 22)).stdout.trim(), 'connected', 'app1 reaches lb1');
    assert.notEqual((await connect('127.0.0.1', outsiderPort)).stdout.trim(), 'connected');
    const outside = Object.entries(networkInterfaces())
      .filter(([name]) => name !== 'lo' && name !== 'wslab0' && !name.startsWith('wsl-'))
      .flatMap(([, infos]) => (infos ?? []).filter((i) => i.family === 'IPv4').map((i) => i.address));
    assert.ok(outside.length > 0, 'the machine has an address outside the lab');
    for (const ip of outside) {
      const attempt = await connect(ip, outsiderPort);
      assert.notEqual(attempt.stdout.trim(), 'connected', `app1 reached ${ip}:${outsiderPort}`);
      assert.match(attempt.stderr, /Network is unreachable/);
    }
  });

  test('lab crash app1 is a power loss; lab start app1 boots it again', async () => {
    assert.equal(await tcpAnswers(address.app1, 22), true);
    const crash = await lab('crash', 'app1');
    assert.equal(crash.code, 0, crash.stderr);
    await until('app1’s sshd to stop answering', async () => !(await tcpAnswers(address.app1, 22)));
    assert.equal((await exec('ip', ['netns', 'pids', 'app1'])).stdout.trim(), '');
    // A dead kernel answers nothing: no RST for its port (ECONNREFUSED would be one).
    assert.notEqual(await tcpOutcome(address.app1, 22), 'ECONNREFUSED');
    const links = JSON.parse((await exec('ip', ['-j', '-n', 'app1', 'link', 'show'])).stdout) as {
      ifname: string;
      flags: string[];
    }[];
    assert.deepEqual(
      links.filter((l) => l.flags.includes('UP')).map((l) => l.ifname),
      [],
      'every link inside app1 is down',
    );
    const start = await lab('start', 'app1');
    assert.equal(start.code, 0, start.stderr);
    const back = await ssh(address.app1, 'hostname');
    assert.equal(back.code, 0, back.stderr);
    assert.equal(back.stdout.trim(), 'app1');
  });

  test('lab isolate app2 cuts it off; lab heal app2 plugs it back', async () => {
    const isolate = await lab('isolate', 'app2');
    assert.equal(isolate.code, 0, isolate.stderr);
    await until('app2 to be unreachable', async () => !(await tcpAnswers(address.app2, 22)));
    const fromLb = await ssh(
      address.lb1,
      `timeout 3 bash -c 'exec 3<>/dev/tcp/${address.app2}/22' && echo connected`,
    );
    assert.notEqual(fromLb.stdout.trim(), 'connected', 'lb1 still reaches app2');
    const status = await lab('status');
    assert.match(status.stdout, /app2\s+app\s+198\.18\.0\.13\s+silent\s+on\s+cut/);
    const json = JSON.parse((await lab('status', '--json')).stdout) as {
      hosts: { name: string; sshd: boolean; power: string; link: string }[];
    };
    assert.deepEqual(
      json.hosts.map((h) => [h.name, h.sshd, h.power, h.link]),
      [
        ['lb1', true, 'on', 'up'],
        ['app1', true, 'on', 'up'],
        ['app2', false, 'on', 'cut'],
      ],
    );
    const heal = await lab('heal', 'app2');
    assert.equal(heal.code, 0, heal.stderr);
    await until('app2 to answer again', () => tcpAnswers(address.app2, 22));
    assert.equal((await ssh(address.app2, 'hostname')).stdout.trim(), 'app2');
  });

  test('lab down leaves no namespace, link, mount or process of the lab', async () => {
    const state = JSON.parse(readFileSync(join(dir, 'lab-state.json'), 'utf8')) as {
      hosts: { pids: Record<string, number> }[];
    };
    const pids = state.hosts.flatMap((h) => Object.values(h.pids));
    assert.equal(pids.length, 3);
    const down = await lab('down');
    assert.equal(down.code, 0, down.stderr);
    const namespaces = (await exec('ip', ['netns', 'list'])).stdout;
    for (const name of Object.keys(address)) assert.doesNotMatch(namespaces, new RegExp(`^${name}\\b`, 'm'));
    const links = (await exec('ip', ['-br', 'link'])).stdout;
    assert.doesNotMatch(links, /wslab0|wsl-/);
    assert.doesNotMatch(readFileSync('/proc/mounts', 'utf8'), new RegExp(dir));
    for (const pid of pids) assert.equal(existsSync(`/proc/${pid}`), false, `process ${pid} is left`);
    assert.equal(existsSync(dir), false);
    const again = await lab('down');
    assert.equal(again.code, 0);
    assert.match(again.stdout, /there is no lab/);
  });
});
