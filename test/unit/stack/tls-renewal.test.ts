import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderCertificate } from '../../../src/stack/cli/tls.js';
import {
  acmeFinding,
  httpOnlyFinding,
  isPublicAddress,
} from '../../../src/stack/components/tls/checks/certificate.js';
import { type CertificateInfo, renewalDue } from '../../../src/stack/components/tls/renewal.js';

const DAY = 86_400_000;
const now = Date.parse('2026-12-01T00:00:00Z');
const cert = (days: number): CertificateInfo => ({
  names: ['www.foobar.com', 'foobar.com'],
  issuer: 'CN=R11',
  serial: '01AB',
  notAfter: new Date(now + days * DAY).toISOString(),
});
const failed = {
  at: '2026-11-30T12:00:00.000Z',
  ok: false,
  code: 'ACME_CHALLENGE_FAILED',
  message: 'the ACME server could not validate www.foobar.com: connection refused',
  fix: 'point the A records …',
  problem: { type: 'urn:ietf:params:acme:error:connection', detail: 'connection refused' },
};

test('renewal is due when there is no certificate, or within renewBeforeDays of its end', () => {
  assert.equal(renewalDue(null, 30, now), true);
  assert.equal(renewalDue(cert(31), 30, now), false);
  assert.equal(renewalDue(cert(30), 30, now), true);
  assert.equal(renewalDue(cert(-1), 30, now), true);
});

test('doctor: fine far from expiry, a warning after a failed attempt, an alert 7 days from the end', () => {
  assert.equal(acmeFinding(cert(60), { at: failed.at, ok: true }, now).severity, 'ok');
  const warning = acmeFinding(cert(20), failed, now);
  assert.equal(warning.severity, 'warning');
  assert.match(warning.detail, /\(in 20 days\); last attempt .* failed: ACME_CHALLENGE_FAILED/);
  assert.equal(warning.fix, failed.fix);
  const alert = acmeFinding(cert(6), failed, now);
  assert.equal(alert.severity, 'critical');
  assert.match(alert.detail, /expires 2026-12-07T00:00:00.000Z \(in 6 days\)/);
  assert.match(acmeFinding(null, failed, now).detail, /^no certificate yet; serving HTTP; last attempt/);
});

test('doctor: HTTP only is fine for a private name, a warning once it resolves to a public address', () => {
  assert.equal(httpOnlyFinding('www.foobar.com', ['127.0.0.1', '10.1.2.3', '198.18.0.5']).severity, 'ok');
  assert.equal(httpOnlyFinding('www.foobar.com', []).severity, 'ok');
  const warning = httpOnlyFinding('www.foobar.com', ['8.8.8.8']);
  assert.equal(warning.severity, 'warning');
  assert.match(warning.detail, /resolves to the public address 8\.8\.8\.8 but is served over HTTP only/);
  assert.match(String(warning.fix), /"https": \{ "acme": \{\} \}/);
  assert.deepEqual(['192.168.1.1', '172.20.0.1', '100.64.1.1', '93.184.215.14'].map(isPublicAddress), [
    false,
    false,
    false,
    true,
  ]);
});

test('tls status: names, issuer, serial, expiry, and the last failure with its problem document', () => {
  const lines = renderCertificate(
    {
      directory: 'https://acme.example/dir',
      certificate: cert(10),
      renewBeforeDays: 30,
      lastAttempt: failed,
    },
    now,
  );
  assert.deepEqual(lines, [
    'certificate www.foobar.com, foobar.com: issuer CN=R11, serial 01AB',
    '  expires 2026-12-11T00:00:00.000Z (in 10 days; renewed 30 days before)',
    '  from https://acme.example/dir',
    `  last attempt: ${failed.at} FAILED ACME_CHALLENGE_FAILED: ${failed.message}`,
    `  fix: ${failed.fix}`,
    `  problem document: ${JSON.stringify(failed.problem)}`,
  ]);
});
