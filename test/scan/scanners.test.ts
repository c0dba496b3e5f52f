/** The scanners' verdicts are read from their output (they exit 0 whatever they find): the parsers and argv. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  inHostsNamespace,
  sqlmapFindings,
  sqlmapLoginArgv,
  testsslFindings,
  wapitiArgv,
  wapitiFindings,
} from './scanners.js';

test('sqlmap: positive verdicts are findings, its "not injectable" lines are not', () => {
  const output = [
    "[WARNING] GET parameter 'cursor' does not seem to be injectable",
    '[ERROR] all tested parameters do not appear to be injectable.',
    "[INFO] GET parameter 'id' appears to be 'MySQL >= 5.0.12 AND time-based blind' injectable ",
    "[INFO] GET parameter 'id' is 'Generic UNION query (NULL) - 1 to 20 columns' injectable",
    "GET parameter 'id' is vulnerable. Do you want to keep testing the others (if any)? [y/N] N",
    'sqlmap identified the following injection point(s) with a total of 46 HTTP(s) requests:',
  ].join('\n');
  assert.equal(sqlmapFindings(output).length, 3);
  assert.deepEqual(sqlmapFindings(output.split('\n').slice(0, 2).join('\n')), []);
});

test('wapiti: vulnerabilities and anomalies are flattened from the JSON report', () => {
  const report = JSON.stringify({
    vulnerabilities: {
      'SQL Injection': [{ level: 4, method: 'GET', path: '/a', info: 'boom', parameter: 'q' }],
      'Cross Site Scripting': [],
    },
    anomalies: { 'Internal Server Error': [{ level: 3, method: 'POST', path: '/b', info: '500' }] },
  });
  const { vulnerabilities, anomalies } = wapitiFindings(report);
  assert.deepEqual(
    vulnerabilities.map((v) => [v.category, v.path, v.parameter]),
    [['SQL Injection', '/a', 'q']],
  );
  assert.deepEqual(
    anomalies.map((a) => [a.category, a.path]),
    [['Internal Server Error', '/b']],
  );
  assert.equal(wapitiFindings('{"vulnerabilities":{},"anomalies":{}}').vulnerabilities.length, 0);
  const xxp = { 'HTTP Secure Headers': [{ method: 'GET', path: '/', info: 'X-XSS-Protection is not set' }] };
  const accepted = wapitiFindings(JSON.stringify({ vulnerabilities: xxp }));
  assert.deepEqual([accepted.vulnerabilities.length, accepted.accepted.length], [0, 1]);
});

test('testssl: HIGH and CRITICAL fail unless accepted; lower severities are ignored', () => {
  const report = JSON.stringify([
    { id: 'heartbleed', severity: 'CRITICAL', finding: 'VULNERABLE' },
    { id: 'cert_revocation', severity: 'HIGH', finding: 'Neither CRL nor OCSP URI provided' },
    { id: 'BREACH', severity: 'MEDIUM', finding: 'potentially VULNERABLE' },
    { id: 'TLS1_3', severity: 'OK', finding: 'offered' },
  ]);
  const { failing, accepted } = testsslFindings(report);
  assert.deepEqual(
    failing.map((i) => i.id),
    ['heartbleed'],
  );
  assert.deepEqual(
    accepted.map((i) => i.id),
    ['cert_revocation'],
  );
});

test('scanners run in a private mount namespace over a bind-mounted hosts file, argv only', () => {
  assert.deepEqual(inHostsNamespace('/tmp/h', ['wapiti', '-u', 'x']), [
    'unshare',
    '--mount',
    '--propagation',
    'private',
    '--',
    'sh',
    '-c',
    'mount --bind "$0" /etc/hosts && exec "$@"',
    '/tmp/h',
    'wapiti',
    '-u',
    'x',
  ]);
});

test('the login run names the CSRF field and where to fetch it; wapiti gets scope, time bound and JSON', () => {
  const login = sqlmapLoginArgv({ baseUrl: 'https://www.foobar.com:8443/', outputDir: '/o' });
  assert.ok(login.includes('--csrf-token=_csrf'));
  assert.ok(login.includes('--csrf-url=https://www.foobar.com:8443/login'));
  const wapiti = wapitiArgv({
    baseUrl: 'https://www.foobar.com:8443/',
    report: '/r.json',
    sessionDir: '/s',
    maxScanSeconds: 60,
  });
  for (const pair of [
    ['--scope', 'folder'],
    ['--max-scan-time', '60'],
    ['-f', 'json'],
    ['-o', '/r.json'],
  ])
    assert.equal(wapiti[wapiti.indexOf(pair[0] ?? '') + 1], pair[1]);
  assert.ok(wapiti.includes('--flush-session'));
});
