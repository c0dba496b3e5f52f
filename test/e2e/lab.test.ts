/**
 * `webstack lab` end to end, as root: the real CLI makes three hosts in network namespaces, and
 * the test reaches them over SSH with the lab's key and known_hosts, as an operator would.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isWebstackError } from '../../src/stack/core/errors.js';
import { localHost } from '../../src/stack/host/index.js';
import { SshHost } from '../../src/stack/host/ssh.js';
import { holdLab, removeLabOnSignal } from '../support/lab-lock.js';
import { cli } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

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
  await waitFor(check, { what, timeoutMs });
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

// The suite runs as root, as the stack does: network namespaces, links and mounts need it.
describe('webstack lab, end to end', () => {
  // Root-owned and closed to others all the way up, as sshd's StrictModes wants (not /tmp).
  const parent = mkdtempSync('/var/lib/webstack-lab-e2e-');
  const dir = join(parent, 'lab');
  const lab = (...args: string[]) => cli(['lab', ...args, '--dir', dir], { timeoutMs: 120_000 });
  const key = join(dir, 'id_ed25519');
  const knownHosts = join(dir, 'known_hosts');
  const address = { lb1: '198.18.0.11', app1: '198.18.0.12', app2: '198.18.0.13' } as const;
  let outsider: Server;
  let outsiderPort = 0;
  let releaseLab: (() => Promise<void>) | undefined;
  let keepLabOnSignal: (() => void) | undefined;

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

  before(async () => {
    releaseLab = await holdLab();
    keepLabOnSignal = removeLabOnSignal(dir, parent);
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
    keepLabOnSignal?.();
    await lab('down');
    outsider.close();
    await rm(parent, { recursive: true, force: true });
    await releaseLab?.();
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

  describe('SshHost: the Host operations over SSH, against lab host app1', () => {
    const operator = join(parent, 'operator');
    const files = { knownHosts: join(operator, 'known_hosts'), controlDir: join(operator, 'ssh') };
    const target = { address: address.app1, user: 'root', port: 22, identityFile: key };
    let app1: SshHost;

    before(() => {
      app1 = new SshHost('app1', target, files);
    });

    after(async () => {
      await app1.close();
    });

    test('commands run there, argv word for word, with the environment the caller added', async () => {
      assert.equal((await app1.run(['hostname'])).stdout.trim(), 'app1');
      const echoed = await app1.run(['printf', '%s|', "it's", '$(id)', 'a b'], {
        env: { ...process.env, WEBSTACK_PROBE: 'x y' },
      });
      assert.equal(echoed.stdout, "it's|$(id)|a b|");
      const later = await app1.run(['printenv', 'WEBSTACK_PROBE'], { okCodes: [0, 1] });
      assert.equal(later.code, 1, 'a variable set for one command does not stay for the next');
      const env = await app1.run(['sh', '-c', 'printf %s "$WEBSTACK_PROBE"'], {
        env: { ...process.env, WEBSTACK_PROBE: 'x y' },
      });
      assert.equal(env.stdout, 'x y');
      await assert.rejects(
        app1.run(['false']),
        (error) => isWebstackError(error) && error.code === 'COMMAND_FAILED',
      );
      assert.equal(await app1.isRoot(), true);
    });

    test('the first contact pinned the host key in our own known_hosts', async () => {
      const pinned = readFileSync(files.knownHosts, 'utf8');
      assert.match(pinned, new RegExp(`^${address.app1.replaceAll('.', '\\.')} ssh-ed25519 `, 'm'));
    });

    test('files: atomic writes with mode and owner, reads, ranges, exclusive create, append, links', async () => {
      const base = '/var/lib/webstack/ssh-host-test';
      await app1.mkdir(`${base}/dir`, { mode: 0o750 });
      await app1.writeAtomic(`${base}/dir/secret`, 'top\nsecret\n', {
        mode: 0o600,
        owner: { uid: 0, gid: 0 },
      });
      const info = await app1.stat(`${base}/dir/secret`);
      assert.deepEqual(
        { mode: (info?.mode ?? 0) & 0o777, size: info?.size, isFile: info?.isFile },
        { mode: 0o600, size: 11, isFile: true },
      );
      assert.equal(((await app1.stat(`${base}/dir`))?.mode ?? 0) & 0o777, 0o750);
      assert.equal(await app1.readText(`${base}/dir/secret`), 'top\nsecret\n');
      assert.equal(await app1.readText(`${base}/dir/secret`, { offset: 4, maxBytes: 3 }), 'sec');
      assert.equal(await app1.readText(`${base}/missing`), null);
      assert.equal(await app1.stat(`${base}/missing`), null);
      assert.equal(await app1.createExclusive(`${base}/lock`, '42', { mode: 0o644 }), true);
      assert.equal(await app1.createExclusive(`${base}/lock`, '43', { mode: 0o644 }), false);
      assert.equal(await app1.readText(`${base}/lock`), '42');
      await app1.append(`${base}/log`, 'one\n', { mode: 0o640 });
      await app1.append(`${base}/log`, 'two\n', { mode: 0o640 });
      assert.equal(await app1.readText(`${base}/log`), 'one\ntwo\n');
      await app1.symlink(`${base}/dir`, `${base}/current`);
      assert.equal(await app1.readLink(`${base}/current`), `${base}/dir`);
      await app1.rename(`${base}/lock`, `${base}/lock.old`);
      assert.deepEqual(await app1.list(base), ['current', 'dir', 'lock.old', 'log']);
      assert.deepEqual(await app1.list(`${base}/nothing`), []);
      await app1.remove(base);
      assert.equal(await app1.exists(base), false);
    });

    test('a tree goes there and comes back intact', async () => {
      const local = await localHost.makeTempDir(join(parent, 'tree-'));
      await localHost.mkdir(join(local, 'release', 'dist'), { mode: 0o755 });
      await localHost.writeAtomic(join(local, 'release', 'dist', 'entry.js'), 'export {};\n', {
        mode: 0o644,
      });
      await app1.copyIn(join(local, 'release'), '/var/lib/webstack/release-copy');
      assert.equal(await app1.readText('/var/lib/webstack/release-copy/dist/entry.js'), 'export {};\n');
      await app1.copyOut('/var/lib/webstack/release-copy', join(local, 'back'));
      assert.equal(readFileSync(join(local, 'back', 'dist', 'entry.js'), 'utf8'), 'export {};\n');
      await app1.remove('/var/lib/webstack/release-copy');
      await localHost.remove(local);
    });

    test('processes: the listener of a port, liveness and signals', async () => {
      const sshd = await app1.listeners(22, { comm: 'sshd' });
      assert.equal(sshd.length >= 1, true, 'sshd holds port 22');
      const [first] = sshd;
      assert.ok(first);
      assert.equal(await app1.isAlive(first.pid), true);
      assert.ok((await app1.processes()).some((proc) => proc.pid === first.pid && proc.comm === 'sshd'));
      const sleeper = await app1.run(['sh', '-c', 'sleep 60 >/dev/null 2>&1 & echo $!']);
      const pid = Number(sleeper.stdout.trim());
      assert.equal(await app1.signal(pid, 'SIGTERM'), true);
      await waitFor(async () => !(await app1.isAlive(pid)), {
        what: 'the remote sleep to end',
        timeoutMs: 10_000,
      });
      assert.equal(await app1.signal(pid, 'SIGTERM'), false, 'a process that is gone');
    });

    test('a changed host key stops the connection with the fix', async () => {
      const other = new SshHost('app1', target, {
        knownHosts: join(operator, 'known_hosts.wrong'),
        controlDir: join(operator, 'ssh-wrong'),
      });
      // Another host's key pinned for app1's address: what a reinstalled (or spoofed) machine looks like.
      const lbKey = readFileSync(knownHosts, 'utf8')
        .split('\n')
        .find((line) => line.split(' ')[0]?.split(',').includes(address.lb1));
      assert.ok(lbKey);
      const [, type, blob] = lbKey.split(' ');
      await localHost.writeAtomic(join(operator, 'known_hosts.wrong'), `${address.app1} ${type} ${blob}\n`, {
        mode: 0o600,
      });
      await assert.rejects(other.run(['true']), (error) => {
        assert.ok(isWebstackError(error));
        assert.equal(error.code, 'SSH_HOST_KEY_CHANGED');
        assert.match(error.fix, /ssh-keygen -R 198\.18\.0\.12/);
        return true;
      });
    });

    test('an unreachable host is told apart from a failed command', async () => {
      const isolated = new SshHost(
        'app2',
        { ...target, address: address.app2 },
        {
          knownHosts: join(operator, 'known_hosts'),
          controlDir: join(operator, 'ssh-app2'),
        },
      );
      assert.equal((await lab('isolate', 'app2')).code, 0);
      try {
        await assert.rejects(
          isolated.run(['true']),
          (error) => isWebstackError(error) && error.code === 'SSH_UNREACHABLE',
        );
      } finally {
        assert.equal((await lab('heal', 'app2')).code, 0);
      }
    });
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
