import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { StatusSnapshot } from '../../src/contract.js';
import { statePaths } from '../../src/stack/core/paths.js';
import { type PromSample, parsePrometheusText, sumOf } from '../../src/stack/metrics/parse.js';
import { launchBrowser, SCREENSHOTS_DIR } from '../support/browser.js';
import { httpRequest } from '../support/nginx.js';
import { createTestStack, type TestStack } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

describe('metrics, the admin status page and doctor alerts, end to end', () => {
  let stack: TestStack;
  const cookies: Record<string, string> = {};

  async function metrics(): Promise<PromSample[]> {
    const result = await stack.run(['metrics']);
    assert.equal(result.code, 0, result.stderr);
    return parsePrometheusText(result.stdout);
  }

  async function snapshot(): Promise<StatusSnapshot | null> {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(statePaths(stack.stateDir).statusSnapshot, 'utf8').catch(() => null);
    return text === null ? null : (JSON.parse(text) as StatusSnapshot);
  }

  async function login(email: string, role: string): Promise<string> {
    const added = await stack.run(['user', 'add', '--email', email, '--role', role]);
    assert.equal(added.code, 0, added.stderr);
    const password = added.stdout.match(/password \(shown once\): (\S+)/)?.[1];
    assert.ok(password, added.stdout);
    const session = await httpRequest({
      port: stack.httpPort,
      path: '/api/v1/session',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    assert.equal(session.status, 200, session.body);
    return ([] as string[])
      .concat(session.headers['set-cookie'] ?? [])
      .map((c) => c.split(';')[0])
      .join('; ');
  }

  before(async () => {
    stack = await createTestStack({ seed: true, metrics: { port: 0, sampleSeconds: 1 } });
    const up = await stack.up();
    assert.equal(up.code, 0, up.stderr + up.stdout);
    cookies.admin = await login('admin@example.com', 'admin');
    cookies.member = await login('member@example.com', 'member');
  });
  after(async () => {
    await stack.destroy();
  });

  test('webstack metrics prints valid Prometheus text with workers, components, nginx and MariaDB', async () => {
    const samples = await metrics();
    const names = new Set(samples.map((s) => s.name));
    for (const name of [
      'http_requests_total',
      'http_request_duration_seconds_bucket',
      'http_requests_in_flight',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'webstack_component_up',
      'webstack_component_restarts_total',
      'webstack_nginx_requests_total',
      'webstack_nginx_connections',
      'webstack_mariadb_queries_total',
      'webstack_mariadb_threads_connected',
    ])
      assert.ok(names.has(name), `missing ${name}`);
    assert.equal(sumOf(samples, 'webstack_component_up'), 3);
  });

  test('N requests through nginx raise the request counter by N, summed across workers', async () => {
    const count = () =>
      metrics().then((s) => sumOf(s, 'http_requests_total', { route: '/articles', status: '200' }));
    const before = await count();
    const n = 24;
    // As a logged-in user: Nginx's micro-cache answers repeated anonymous GETs itself, so only
    // personal requests are sure to reach a worker every time.
    for (let i = 0; i < n; i++) {
      const page = await httpRequest({
        port: stack.httpPort,
        path: '/articles',
        headers: { cookie: cookies.admin ?? '' },
      });
      assert.equal(page.status, 200);
      assert.equal(page.headers['x-cache-status'], 'BYPASS');
    }
    assert.equal(await count(), before + n);
  });

  test('the endpoint answers on loopback only, to the holder of its token, never through the public name', async () => {
    const url = (await stack.run(['metrics', '--url'])).stdout.trim();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const tokenFile = (await stack.run(['metrics', '--token-file'])).stdout.trim();
    assert.equal((await stat(tokenFile)).mode & 0o777, 0o600);
    const token = (await readFile(tokenFile, 'utf8')).trim();
    assert.equal((await fetch(url)).status, 401, 'no token');
    assert.equal(
      (await fetch(url, { headers: { authorization: `Bearer ${token}x` } })).status,
      401,
      'wrong token',
    );
    const direct = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(direct.status, 200);
    assert.ok(parsePrometheusText(await direct.text()).length > 0);
    for (const path of ['/metrics', '/nginx_status']) {
      const viaNginx = await httpRequest({ port: stack.httpPort, path });
      // The public server proxies both to the site, which has no such page.
      assert.equal(viaNginx.status, 404, path);
      assert.doesNotMatch(viaNginx.body, /http_requests_total|Active connections/);
    }
  });

  test('the status page is for admins only and is never cached', async () => {
    const anonymous = await httpRequest({ port: stack.httpPort, path: '/admin/status' });
    assert.equal(anonymous.status, 303, 'anonymous visitors are sent to log in');
    assert.equal(anonymous.headers.location, '/login?next=%2Fadmin%2Fstatus');
    const member = await httpRequest({
      port: stack.httpPort,
      path: '/admin/status',
      headers: { cookie: cookies.member ?? '' },
    });
    assert.equal(member.status, 403);
    // Load, then wait for samples that saw it.
    for (let i = 0; i < 20; i++) await httpRequest({ port: stack.httpPort, path: '/' });
    await waitFor(
      async () => {
        const s = await snapshot();
        return s && s.points.filter((p) => p.requestsPerSecond > 0).length >= 1 && s.points.length >= 3;
      },
      { what: 'samples with requests', intervalMs: 200 },
    );
    const admin = await httpRequest({
      port: stack.httpPort,
      path: '/admin/status',
      headers: { cookie: cookies.admin ?? '' },
    });
    assert.equal(admin.status, 200, admin.body.slice(0, 500));
    assert.match(admin.headers['cache-control'] ?? '', /no-store/);
    for (const name of ['mariadb', 'appserver', 'nginx'])
      assert.match(admin.body, new RegExp(`<td>${name}</td>`));
    assert.equal((admin.body.match(/<svg /g) ?? []).length, 6);
    assert.match(admin.body, /<polyline points="[\d., ]+"/);
    assert.doesNotMatch(admin.body, /<script|style="/);
  });

  test('a screenshot of the status page in headless Chromium', async () => {
    const { browser, close } = await launchBrowser();
    try {
      const context = await browser.newContext({ extraHTTPHeaders: { cookie: cookies.admin ?? '' } });
      const page = await context.newPage();
      const response = await page.goto(`http://www.foobar.com:${stack.httpPort}/admin/status`);
      assert.equal(response?.status(), 200);
      assert.equal((await page.locator('svg polyline').count()) > 0, true);
      await page.screenshot({ path: join(SCREENSHOTS_DIR, 'admin-status.png'), fullPage: true });
    } finally {
      await close();
    }
  });

  test('doctor flags a worker crash loop and exits non-zero', async () => {
    const finding = async () => {
      const doctor = await stack.run(['doctor', '--json']);
      const findings = JSON.parse(doctor.stdout) as { title: string; severity: string; fix: string | null }[];
      return { code: doctor.code, restarts: findings.find((f) => f.title === 'worker restarts') };
    };
    assert.equal((await finding()).restarts?.severity, 'ok');
    for (let crash = 1; crash <= 3; crash++) {
      const pid = await waitFor(
        async () => {
          const status = JSON.parse((await stack.run(['status', '--json'])).stdout) as {
            components: { name: string; restarts: number; detail: string | null }[];
          };
          const app = status.components.find((c) => c.name === 'appserver');
          const pids = /pids ([\d ]+)\)/
            .exec(app?.detail ?? '')?.[1]
            ?.trim()
            .split(' ')
            .map(Number);
          return app && app.restarts === crash - 1 && app.detail?.startsWith('2/2')
            ? (pids?.[0] ?? null)
            : null;
        },
        { what: `a ready worker before crash ${crash}`, timeoutMs: 60_000, intervalMs: 200 },
      );
      process.kill(pid, 'SIGKILL');
    }
    const flagged = await waitFor(
      async () => {
        const result = await finding();
        return result.restarts?.severity === 'critical' && result;
      },
      { what: 'doctor to flag the restarts', intervalMs: 200 },
    );
    assert.notEqual(flagged.code, 0);
    assert.match(flagged.restarts?.fix ?? '', /logs app/);
  });
});
