import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import * as dns from '../../../src/stack/components/dns/commands.js';
import { nextSerial, parseSerial, renderZone } from '../../../src/stack/components/dns/zone-file.js';
import * as testDns from '../../support/dns-commands.js';
import { renderNamedConf } from '../../support/named-conf.js';

const exec = promisify(execFile);
const zone = renderZone({ domain: 'foobar.com', serverIp: '8.8.8.8', serial: 2025031401 });

test('the zone has SOA, NS ns1 and A records for @, www and ns1', () => {
  assert.match(zone, /^\$ORIGIN foobar\.com\.$/m);
  assert.match(zone, /^\$TTL 3600$/m);
  assert.match(zone, /^@\tIN\tSOA\tns1\.foobar\.com\. hostmaster\.foobar\.com\. \($/m);
  assert.match(zone, /^@\tIN\tNS\tns1\.foobar\.com\.$/m);
  for (const name of ['@', 'www', 'ns1'])
    assert.match(zone, new RegExp(`^${name}\\tIN\\tA\\t8\\.8\\.8\\.8$`, 'm'));
});

test('the zone passes the real named-checkzone', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'webstack-zone-unit-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'db.foobar.com');
  await writeFile(file, zone);
  const [command, ...args] = dns.checkZone('foobar.com', file);
  const { stdout } = await exec(command, args);
  assert.match(stdout, /loaded serial 2025031401/);
  assert.match(stdout, /^OK$/m);
});

test('renderZone refuses bad input', () => {
  assert.throws(() => renderZone({ domain: 'foobar.com', serverIp: '300.1.1.1', serial: 1 }));
  assert.throws(() => renderZone({ domain: 'foo bar.com', serverIp: '8.8.8.8', serial: 1 }));
  assert.throws(() => renderZone({ domain: 'foobar.com', serverIp: '8.8.8.8', serial: 2 ** 32 }));
});

test('parseSerial reads back the serial rendered', () => {
  assert.equal(parseSerial(zone), 2025031401);
  assert.equal(parseSerial('no serial here'), null);
});

test('nextSerial starts a day at nn=00', () => {
  assert.equal(nextSerial(null, new Date('2025-03-14T12:00:00Z')), 2025031400);
  assert.equal(nextSerial(2025031307, new Date('2025-03-14T00:00:00Z')), 2025031400);
});

test('nextSerial counts up within a day', () => {
  assert.equal(nextSerial(2025031400, new Date('2025-03-14T23:59:59Z')), 2025031401);
  assert.equal(nextSerial(2025031441, new Date('2025-03-14T08:00:00Z')), 2025031442);
});

test('nextSerial rolls over at the end of the month and the year', () => {
  assert.equal(nextSerial(2025013199, new Date('2025-02-01T00:00:00Z')), 2025020100);
  assert.equal(nextSerial(2024123105, new Date('2025-01-01T00:00:00Z')), 2025010100);
});

test('more than 99 changes in a day still increase (borrowing the next day)', () => {
  let serial = nextSerial(null, new Date('2025-03-14T00:00:00Z'));
  const today = new Date('2025-03-14T10:00:00Z');
  for (let i = 0; i < 150; i++) {
    const next = nextSerial(serial, today);
    assert.ok(next > serial);
    serial = next;
  }
  assert.equal(serial, 2025031400 + 150);
  assert.equal(nextSerial(2025031499, today), 2025031500);
});

test('a serial from a clock that ran ahead still increases', () => {
  assert.equal(nextSerial(2030010100, new Date('2025-03-14T00:00:00Z')), 2030010101);
});

test('dns command lines are exact', () => {
  assert.deepEqual(dns.checkZone('foobar.com', '/s/dns/db.foobar.com'), [
    'named-checkzone',
    'foobar.com',
    '/s/dns/db.foobar.com',
  ]);
  assert.deepEqual(testDns.named('/tmp/x/named.conf', 5353), [
    'named',
    '-g',
    '-c',
    '/tmp/x/named.conf',
    '-p',
    '5353',
  ]);
  assert.deepEqual(testDns.checkConf('/tmp/x/named.conf'), ['named-checkconf', '/tmp/x/named.conf']);
  assert.deepEqual(testDns.dig('127.0.0.1', 5353, 'www.foobar.com'), [
    'dig',
    '@127.0.0.1',
    '-p',
    '5353',
    '+short',
    '+norecurse',
    'www.foobar.com',
    'A',
  ]);
});

test('the test server config is loopback-only, authoritative-only and passes named-checkconf', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'webstack-named-unit-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const text = renderNamedConf({
    dir,
    port: 5353,
    domain: 'foobar.com',
    zoneFile: join(dir, 'db.foobar.com'),
  });
  assert.match(text, /listen-on port 5353 \{ 127\.0\.0\.1; \};/);
  assert.match(text, /listen-on-v6 \{ none; \};/);
  assert.match(text, /recursion no;/);
  assert.match(text, /controls \{ \};/);
  await writeFile(join(dir, 'named.conf'), text);
  const [command, ...args] = testDns.checkConf(join(dir, 'named.conf'));
  await exec(command, args);
});
