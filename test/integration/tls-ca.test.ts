/** The cluster CA with the real openssl: made once, keys 0600, certificates issued again when they must be. */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureCa, issueCertificate, reissueReason } from '../../src/stack/components/tls/ca.js';
import { localHost } from '../../src/stack/host/index.js';

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('the cluster CA', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ws-ca-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('ensureCa makes a CA key (0600, in a 0700 directory) and a CA certificate once', async () => {
    const ca = await ensureCa(localHost, join(dir, 'ca'));
    assert.equal(await mode(ca.key), 0o600);
    assert.equal(await mode(join(dir, 'ca')), 0o700);
    const cert = new X509Certificate(ca.pem);
    assert.equal(cert.ca, true);
    assert.match(cert.subject, /CN=webstack cluster CA/);
    assert.equal((await ensureCa(localHost, join(dir, 'ca'))).pem, ca.pem);
  });

  test('a half CA (the key without its certificate) is a coded error, not a silent new CA', async () => {
    const half = join(dir, 'half');
    await ensureCa(localHost, half);
    await rm(join(half, 'ca.crt'));
    await assert.rejects(ensureCa(localHost, half), { code: 'TLS_CA_INCOMPLETE' });
  });

  test('issueCertificate: signed by the CA for the addresses, key 0600; kept while it still serves', async () => {
    const ca = await ensureCa(localHost, join(dir, 'ca'));
    const certs = join(dir, 'certs');
    const first = await issueCertificate(localHost, ca, {
      name: 'db1',
      addresses: ['127.0.0.1'],
      dir: certs,
    });
    assert.equal(first.issued, true);
    assert.equal(await mode(first.key), 0o600);
    assert.equal(await localHost.readText(first.ca), ca.pem);
    assert.equal(await mode(first.ca), 0o644);
    const cert = new X509Certificate(first.pem);
    assert.equal(cert.verify(new X509Certificate(ca.pem).publicKey), true);
    assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(cert.ca, false);

    const again = await issueCertificate(localHost, ca, {
      name: 'db1',
      addresses: ['127.0.0.1'],
      dir: certs,
    });
    assert.deepEqual([again.issued, again.pem], [false, first.pem]);

    // A new address: issued again, covering both.
    const wider = await issueCertificate(localHost, ca, {
      name: 'db1',
      addresses: ['127.0.0.1', '198.18.1.4'],
      dir: certs,
    });
    assert.equal(wider.issued, true);
    assert.equal(new X509Certificate(wider.pem).checkIP('198.18.1.4'), '198.18.1.4');
  });

  test('issued again when it expires within 30 days, when another CA signed it, or when its key is not its own', async () => {
    const ca = await ensureCa(localHost, join(dir, 'ca'));
    const certs = join(dir, 'renew');
    const short = await issueCertificate(localHost, ca, {
      name: 'db1',
      addresses: ['127.0.0.1'],
      dir: certs,
      days: 10,
    });
    const keyPem = (await localHost.readText(short.key)) ?? '';
    assert.equal(reissueReason(short.pem, keyPem, ca.pem, ['IP:127.0.0.1']), 'it expires in 9 days');
    const renewed = await issueCertificate(localHost, ca, {
      name: 'db1',
      addresses: ['127.0.0.1'],
      dir: certs,
    });
    assert.equal(renewed.issued, true);

    const other = await ensureCa(localHost, join(dir, 'other-ca'));
    assert.equal(
      reissueReason(renewed.pem, (await localHost.readText(renewed.key)) ?? '', other.pem, ['IP:127.0.0.1']),
      'another CA signed it',
    );
    assert.equal(
      (await issueCertificate(localHost, other, { name: 'db1', addresses: ['127.0.0.1'], dir: certs }))
        .issued,
      true,
    );

    await writeFile(short.key, keyPem);
    assert.equal(
      (await issueCertificate(localHost, other, { name: 'db1', addresses: ['127.0.0.1'], dir: certs }))
        .issued,
      true,
    );
  });
});
