/**
 * webstack's nftables table on a real kernel, inside network namespaces of the test's own: a
 * server namespace (198.18.1.1) and a client namespace holding two addresses (198.18.1.2 and
 * .3), joined by a veth pair. Real TCP connects show which source gets through.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  applyFirewall,
  type FirewallInput,
  firewallCheck,
  readFirewall,
  removeFirewall,
  renderFirewall,
} from '../../src/stack/components/firewall/index.js';
import type { Argv, RunOptions, RunResult } from '../../src/stack/host/host.js';
import { LocalHost } from '../../src/stack/host/index.js';
import { waitFor } from '../support/wait.js';

const run = promisify(execFile);
const SERVER = `ws-fw-${process.pid}-srv`;
const CLIENT = `ws-fw-${process.pid}-cli`;
const SERVER_IP = '198.18.1.1';
const ALLOWED = '198.18.1.2';
const OTHER = '198.18.1.3';
const APP_PORT = 3000;
const DB_PORT = 3306;

/** This machine, with every command run inside the server's network namespace. */
class NamespaceHost extends LocalHost {
  constructor(readonly namespace: string) {
    super();
  }
  override run(argv: Argv, options?: RunOptions): Promise<RunResult> {
    return super.run(['ip', 'netns', 'exec', this.namespace, ...argv], options);
  }
}

const ip = (...args: string[]) => run('ip', args);
const inNs = (ns: string, ...args: string[]) => run('ip', ['netns', 'exec', ns, ...args]);

/** One TCP connect from the client namespace, from SOURCE: "connected", "timeout" or the error code. */
async function connectFrom(source: string, port: number): Promise<string> {
  const script = `
    const s = require('node:net').connect({ host: '${SERVER_IP}', port: ${port}, localAddress: '${source}' });
    s.setTimeout(1500, () => { console.log('timeout'); process.exit(0); });
    s.on('connect', () => { console.log('connected'); s.destroy(); });
    s.on('error', (e) => console.log(e.code));`;
  const { stdout } = await inNs(CLIENT, process.execPath, '-e', script);
  return stdout.trim();
}

async function dropped(port: number): Promise<number> {
  const { stdout } = await inNs(SERVER, 'nft', 'list', 'table', 'inet', 'webstack');
  const match = new RegExp(`tcp dport ${port} counter packets (\\d+)`).exec(stdout);
  return Number(match?.[1] ?? Number.NaN);
}

describe('the firewall table on a real kernel', () => {
  const host = new NamespaceHost(SERVER);
  let stateDir: string;
  let listener: ChildProcess | undefined;

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'ws-fw-'));
    await ip('netns', 'add', SERVER);
    await ip('netns', 'add', CLIENT);
    await ip(
      'link',
      'add',
      'wsfw-srv',
      'netns',
      SERVER,
      'type',
      'veth',
      'peer',
      'name',
      'wsfw-cli',
      'netns',
      CLIENT,
    );
    await inNs(SERVER, 'ip', 'addr', 'add', `${SERVER_IP}/24`, 'dev', 'wsfw-srv');
    await inNs(CLIENT, 'ip', 'addr', 'add', `${ALLOWED}/24`, 'dev', 'wsfw-cli');
    await inNs(CLIENT, 'ip', 'addr', 'add', `${OTHER}/24`, 'dev', 'wsfw-cli');
    for (const [ns, dev] of [
      [SERVER, 'wsfw-srv'],
      [CLIENT, 'wsfw-cli'],
    ] as const) {
      await inNs(ns, 'ip', 'link', 'set', 'lo', 'up');
      await inNs(ns, 'ip', 'link', 'set', dev, 'up');
    }
    // The operator's own table: webstack must leave it alone.
    await inNs(SERVER, 'nft', 'add', 'table', 'inet', 'operator');
    await inNs(SERVER, 'nft', 'add', 'chain', 'inet', 'operator', 'keep');
    // Listeners on the application and database ports, as the appserver and MariaDB would hold them.
    listener = spawn(
      'ip',
      [
        'netns',
        'exec',
        SERVER,
        process.execPath,
        '-e',
        `
      const net = require('node:net');
      let up = 0;
      for (const port of [${APP_PORT}, ${DB_PORT}])
        net.createServer((c) => c.end()).listen(port, '0.0.0.0', () => { if (++up === 2) console.log('listening'); });`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    listener.stdout?.on('data', (chunk) => {
      output += String(chunk);
    });
    await waitFor(() => output.includes('listening'), {
      what: 'the listeners in the server namespace',
      giveUp: () => listener?.exitCode !== null && 'the listener exited',
    });
  });

  after(async () => {
    listener?.kill('SIGKILL');
    // Deleting the namespaces removes the veth pair and every nftables table in them.
    for (const ns of [SERVER, CLIENT]) await ip('netns', 'delete', ns).catch(() => {});
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  test('without the table both sources connect', async () => {
    assert.equal(await connectFrom(ALLOWED, APP_PORT), 'connected');
    assert.equal(await connectFrom(OTHER, APP_PORT), 'connected');
  });

  test('on an app host the application port takes the lb address only; the others are dropped', async () => {
    // An IPv6 lb address too (documentation prefix, in a set only): doctor compares nft's own notation.
    const input: FirewallInput = {
      appPort: APP_PORT,
      lbAddresses: [ALLOWED, '2001:DB8:0:0::A'],
      appAddresses: [],
    };
    const file = await applyFirewall(host, stateDir, renderFirewall(input));
    assert.equal(file, join(stateDir, 'firewall', 'webstack.nft'));
    assert.equal(await connectFrom(ALLOWED, APP_PORT), 'connected');
    assert.equal(await connectFrom(OTHER, APP_PORT), 'timeout');
    assert.ok((await dropped(APP_PORT)) >= 1, 'the drop rule counted the refused SYN');
    // Not this table's business: the database port is not guarded on an app host.
    assert.equal(await connectFrom(OTHER, DB_PORT), 'connected');
    // Loopback inside the host always gets through.
    const { stdout } = await inNs(
      SERVER,
      process.execPath,
      '-e',
      `require('node:net').connect(${APP_PORT}, '127.0.0.1').on('connect', function () { console.log('connected'); this.destroy(); })`,
    );
    assert.equal(stdout.trim(), 'connected');
    // The operator's table is still there.
    await inNs(SERVER, 'nft', 'list', 'chain', 'inet', 'operator', 'keep');
    assert.deepEqual(await firewallCheck(host, input).run({} as never, { running: true }), {
      severity: 'ok',
      detail: `port ${APP_PORT} (app): only from their peers`,
      fix: null,
    });
  });

  test('applying again replaces the table: a db host takes the app addresses; doctor sees a stale table', async () => {
    const input: FirewallInput = { dbPort: DB_PORT, lbAddresses: [], appAddresses: [OTHER] };
    const stale = await firewallCheck(host, input).run({} as never, { running: true });
    assert.equal(stale.severity, 'critical');
    assert.match(stale.detail, /missing rules: tcp dport 3306 ip saddr @db_v4 accept/);
    await applyFirewall(host, stateDir, renderFirewall(input));
    assert.equal(await connectFrom(OTHER, DB_PORT), 'connected');
    assert.equal(await connectFrom(ALLOWED, DB_PORT), 'timeout');
    assert.equal(await connectFrom(ALLOWED, APP_PORT), 'connected');
    assert.equal((await firewallCheck(host, input).run({} as never, { running: true })).severity, 'ok');
  });

  test('removeFirewall deletes only webstack’s table, and is fine when it is gone', async () => {
    await removeFirewall(host);
    assert.equal(await readFirewall(host), null);
    await removeFirewall(host);
    assert.equal(await connectFrom(ALLOWED, DB_PORT), 'connected');
    await inNs(SERVER, 'nft', 'list', 'chain', 'inet', 'operator', 'keep');
    const missing = await firewallCheck(host, {
      dbPort: DB_PORT,
      lbAddresses: [],
      appAddresses: [OTHER],
    }).run({} as never, { running: true });
    assert.equal(missing.severity, 'critical');
  });
});
