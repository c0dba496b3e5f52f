import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { checkZone, writeZone } from '../../src/stack/components/dns/index.js';
import { parseSerial } from '../../src/stack/components/dns/zone-file.js';
import { isWebstackError } from '../../src/stack/core/errors.js';
import { localHost } from '../../src/stack/host/index.js';
import { type ServedZone, serveTestZone } from '../support/dns.js';
import * as dns from '../support/dns-commands.js';
import { httpRequest, startTestNginx, startTestUpstream } from '../support/nginx.js';

const exec = promisify(execFile);

describe('the foobar.com zone served by a real named', () => {
  let zone: ServedZone;
  let resolver: Resolver;
  before(async () => {
    zone = await serveTestZone({ domain: 'foobar.com', serverIp: '127.0.0.1' });
    resolver = new Resolver({ timeout: 2000, tries: 2 });
    resolver.setServers([`127.0.0.1:${zone.port}`]);
  });
  after(() => zone?.stop());

  test('www.foobar.com and foobar.com resolve to the server IP', async () => {
    assert.deepEqual(await resolver.resolve4('www.foobar.com'), ['127.0.0.1']);
    assert.deepEqual(await resolver.resolve4('foobar.com'), ['127.0.0.1']);
    assert.deepEqual(await resolver.resolveNs('foobar.com'), ['ns1.foobar.com']);
    const soa = await resolver.resolveSoa('foobar.com');
    assert.equal(soa.serial, zone.serial);
    assert.equal(soa.hostmaster, 'hostmaster.foobar.com');
  });

  test('a name outside the zone records is NXDOMAIN', async () => {
    await assert.rejects(resolver.resolve4('nope.foobar.com'), { code: 'ENOTFOUND' });
  });

  test('dig agrees', async () => {
    const [command, ...args] = dns.dig('127.0.0.1', zone.port, 'www.foobar.com');
    const { stdout } = await exec(command, args);
    assert.equal(stdout.trim(), '127.0.0.1');
  });

  test('a browser-like client reaches the site through nginx at the resolved address', async (t) => {
    const upstream = await startTestUpstream();
    t.after(() => upstream.close());
    const nginx = await startTestNginx({ upstreamPort: upstream.port });
    t.after(() => nginx.stop());
    const [address] = await resolver.resolve4('www.foobar.com');
    assert.ok(address);
    const res = await httpRequest({ address, port: nginx.port, host: 'www.foobar.com', path: '/' });
    assert.equal(res.status, 200);
    assert.match(res.body, /"upstream":true/);
  });
});

describe('writeZone', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'webstack-writezone-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('bumps the serial only when the records change', async () => {
    const file = join(dir, 'db.foobar.com');
    const day = new Date('2025-03-14T09:00:00Z');
    const first = await writeZone(localHost, { domain: 'foobar.com', serverIp: '8.8.8.8', file, today: day });
    assert.deepEqual(first, { changed: true, serial: 2025031400, file });
    const same = await writeZone(localHost, { domain: 'foobar.com', serverIp: '8.8.8.8', file, today: day });
    assert.deepEqual(same, { changed: false, serial: 2025031400, file });
    const moved = await writeZone(localHost, {
      domain: 'foobar.com',
      serverIp: '203.0.113.7',
      file,
      today: day,
    });
    assert.deepEqual(moved, { changed: true, serial: 2025031401, file });
    const text = await readFile(file, 'utf8');
    assert.equal(parseSerial(text), 2025031401);
    assert.match(text, /^www\tIN\tA\t203\.0\.113\.7$/m);
  });

  test('a zone edited by hand is rewritten with a higher serial', async () => {
    const file = join(dir, 'db.edited.com');
    await writeZone(localHost, {
      domain: 'edited.com',
      serverIp: '8.8.8.8',
      file,
      today: new Date('2025-03-14T00:00:00Z'),
    });
    await writeFile(file, `${await readFile(file, 'utf8')}extra\tIN\tA\t1.2.3.4\n`);
    const result = await writeZone(localHost, {
      domain: 'edited.com',
      serverIp: '8.8.8.8',
      file,
      today: new Date('2025-03-14T00:00:00Z'),
    });
    assert.deepEqual(result, { changed: true, serial: 2025031401, file });
    assert.doesNotMatch(await readFile(file, 'utf8'), /extra/);
  });

  test('refuses bad input without touching the current zone', async () => {
    const file = join(dir, 'db.keep.com');
    await writeZone(localHost, { domain: 'keep.com', serverIp: '8.8.8.8', file });
    const before = await readFile(file, 'utf8');
    await assert.rejects(writeZone(localHost, { domain: 'keep.com', serverIp: '999.1.1.1', file }));
    assert.equal(await readFile(file, 'utf8'), before);
  });

  test('checkZone failures carry named-checkzone’s reason', async () => {
    const file = join(dir, 'db.broken.com');
    await writeFile(file, '$ORIGIN broken.com.\n$TTL 60\n@ IN A 1.2.3.4\n');
    await assert.rejects(
      checkZone('broken.com', file),
      (error) => isWebstackError(error) && error.code === 'DNS_ZONE_INVALID' && /SOA/.test(error.message),
    );
  });
});
