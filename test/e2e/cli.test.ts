import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, SCREENSHOTS_DIR } from '../support/browser.js';
import { freeDnsPort } from '../support/dns.js';
import { startTestDns } from '../support/dns-server.js';
import { httpRequest } from '../support/nginx.js';
import { createTestStack, type TestStack } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

describe('webstack CLI, end to end', () => {
  let stack: TestStack;

  before(async () => {
    stack = await createTestStack();
  });
  after(async () => {
    await stack.destroy();
  });

  test('up brings the site up through nginx and prints how to reach it', async () => {
    const result = await stack.up();
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.match(result.stdout, /www\.foobar\.com is up/);
    assert.match(
      result.stdout,
      new RegExp(`curl -H 'Host: www.foobar.com' http://127.0.0.1:${stack.httpPort}/`),
    );
    const home = await httpRequest({ port: stack.httpPort, path: '/' });
    assert.equal(home.status, 200);
    assert.match(home.headers['content-type'] ?? '', /text\/html/);
    assert.match(home.body, /foobar\.com/);
  });

  test('status reports every component healthy, as a table and as JSON', async () => {
    const table = await stack.run(['status']);
    assert.equal(table.code, 0, table.stdout);
    for (const name of ['mariadb', 'appserver', 'nginx'])
      assert.match(table.stdout, new RegExp(`${name}\\s+running\\s+\\d+\\s+healthy`));
    const json = await stack.run(['status', '--json']);
    const status = JSON.parse(json.stdout) as {
      healthy: boolean;
      components: { name: string; pid: number | null }[];
    };
    assert.equal(status.healthy, true);
    assert.deepEqual(status.components.map((c) => c.name).sort(), ['appserver', 'mariadb', 'nginx']);
    assert.ok(status.components.every((c) => typeof c.pid === 'number' && c.pid > 0));
  });

  test('up when already up changes nothing and succeeds', async () => {
    const before = JSON.parse((await stack.run(['status', '--json'])).stdout) as {
      supervisor: { pid: number };
    };
    const again = await stack.up();
    assert.equal(again.code, 0);
    assert.match(again.stdout, /already up/);
    const after = JSON.parse((await stack.run(['status', '--json'])).stdout) as {
      supervisor: { pid: number };
    };
    assert.equal(after.supervisor.pid, before.supervisor.pid);
  });

  test('the zone webstack wrote, served by a real DNS server, resolves www to the site', async () => {
    const zoneFile = join(stack.stateDir, 'dns', 'db.foobar.com');
    const dns = await startTestDns({ zoneFile, domain: 'foobar.com', port: await freeDnsPort() });
    try {
      const resolver = new Resolver();
      resolver.setServers([`127.0.0.1:${dns.port}`]);
      const [address] = await resolver.resolve4('www.foobar.com');
      assert.equal(address, '127.0.0.1');
      const page = await httpRequest({ port: stack.httpPort, path: '/', address });
      assert.equal(page.status, 200);
    } finally {
      await dns.stop();
    }
  });

  test('Chromium reaches http://www.foobar.com/ by name and sees the site, styled by its assets', async () => {
    const { browser, close } = await launchBrowser();
    try {
      const page = await browser.newPage();
      const styles: number[] = [];
      page.on('response', (response) => {
        if (response.url().includes('/assets/') && response.url().endsWith('.css'))
          styles.push(response.status());
      });
      const response = await page.goto(`http://www.foobar.com:${stack.httpPort}/`);
      assert.equal(response?.status(), 200);
      assert.match(await page.title(), /foobar\.com/);
      assert.ok(await page.getByRole('navigation', { name: 'Main' }).isVisible());
      assert.deepEqual(styles, [200], 'the stylesheet came from nginx');
      await page.screenshot({ path: join(SCREENSHOTS_DIR, 'home-by-name.png') });
      // The apex redirects to www, in a real browser too.
      await page.goto(`http://foobar.com:${stack.httpPort}/articles`);
      assert.equal(new URL(page.url()).host, `www.foobar.com:${stack.httpPort}`);
    } finally {
      await close();
    }
  });

  test('user add takes the password from stdin, or generates one and prints it once', async () => {
    const piped = await stack.run(['user', 'add', '--email', 'ops@example.com', '--role', 'admin'], {
      input: 'a long enough passphrase 123\n',
    });
    assert.equal(piped.code, 0, piped.stderr);
    assert.match(piped.stdout, /created admin ops@example\.com/);
    assert.doesNotMatch(piped.stdout, /a long enough passphrase/);
    const login = await httpRequest({
      port: stack.httpPort,
      path: '/api/v1/session',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ops@example.com', password: 'a long enough passphrase 123' }),
    });
    assert.equal(login.status, 200, login.body);
    const generated = await stack.run(['user', 'add', '--email', 'ed@example.com', '--role', 'editor']);
    assert.equal(generated.code, 0, generated.stderr);
    assert.match(generated.stdout, /password \(shown once\): \S{12,}/);
    const duplicate = await stack.run(['user', 'add', '--email', 'ed@example.com', '--role', 'editor']);
    assert.equal(duplicate.code, 1);
    assert.match(duplicate.stderr, /^error USER_ADD_FAILED: /m);
  });

  test('user logout --all ends every session of the account, and only of that account', async () => {
    const add = await stack.run(['user', 'add', '--email', 'out@example.com', '--role', 'member'], {
      input: 'a long enough passphrase 456\n',
    });
    assert.equal(add.code, 0, add.stderr);
    const login = async (email: string, password: string) => {
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
    };
    const whoami = async (cookie: string) =>
      (await httpRequest({ port: stack.httpPort, path: '/api/v1/session', headers: { cookie } })).status;
    const jars = [
      await login('out@example.com', 'a long enough passphrase 456'),
      await login('out@example.com', 'a long enough passphrase 456'),
    ];
    const other = await login('ops@example.com', 'a long enough passphrase 123');
    for (const jar of jars) assert.equal(await whoami(jar), 200);

    const help = await stack.run(['user', 'logout', '--help']);
    assert.match(help.stdout, /--all/);
    const withoutAll = await stack.run(['user', 'logout', '--email', 'out@example.com']);
    assert.equal(withoutAll.code, 2, 'a usage error');
    assert.match(withoutAll.stderr, /--all/);
    for (const jar of jars) assert.equal(await whoami(jar), 200, 'nothing ended without --all');

    const out = await stack.run(['user', 'logout', '--email', 'out@example.com', '--all']);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /ended 2 session\(s\) of out@example\.com/);
    for (const jar of jars) assert.equal(await whoami(jar), 401);
    assert.equal(await whoami(other), 200, "another account's session");

    const unknown = await stack.run(['user', 'logout', '--email', 'nobody@example.com', '--all']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^error USER_LOGOUT_FAILED: .*nobody@example\.com/m);
  });

  test('logs --request-id finds one request in the Nginx and the application log alike', async () => {
    const missing = await httpRequest({ port: stack.httpPort, path: '/no-such-page' });
    assert.equal(missing.status, 404);
    const id = String(missing.headers['x-request-id']);
    assert.match(id, /^[0-9a-f]{32}$/);
    const found = await waitFor(
      async () => {
        const logs = await stack.run(['logs', '--request-id', id]);
        const lines = logs.stdout.trim().split('\n').filter(Boolean);
        return lines.length >= 2 && lines;
      },
      { what: `both log lines of request ${id}`, timeoutMs: 15_000, intervalMs: 200 },
    );
    const entries = found.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.ok(
      entries.some((e) => e.request_id === id && e.status === 404),
      'the Nginx access log line',
    );
    assert.ok(
      entries.some((e) => e.reqId === id && e.statusCode === 404),
      'the application log line',
    );
    const byStatus = await stack.run(['logs', 'nginx-access', '--status', '404']);
    assert.ok(
      byStatus.stdout
        .trim()
        .split('\n')
        .every((line) => (JSON.parse(line) as { status: number }).status === 404),
    );
    const bad = await stack.run(['logs', '--status', 'teapot']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /error LOGS_BAD_STATUS/);
  });

  test('status --watch redraws the table with a live traffic line', async () => {
    const watched = await stack.run(['status', '--watch', '--count', '2']);
    assert.equal(watched.code, 0, watched.stderr);
    assert.equal(watched.stdout.match(/^COMPONENT\s+STATE/gm)?.length, 2, 'two frames');
    assert.match(watched.stdout, /^traffic/m);
  });

  test('down stops everything; status then exits 1; up again serves again', async () => {
    const down = await stack.down();
    assert.equal(down.code, 0, down.stderr);
    const status = await stack.run(['status']);
    assert.equal(status.code, 1);
    assert.match(status.stdout, /down/);
    await assert.rejects(httpRequest({ port: stack.httpPort, path: '/' }));
    const downAgain = await stack.down();
    assert.equal(downAgain.code, 0, 'down when down is fine');
    const up = await stack.up();
    assert.equal(up.code, 0, up.stderr + up.stdout);
    assert.equal((await httpRequest({ port: stack.httpPort, path: '/' })).status, 200);
  });
});

describe('webstack CLI refuses before changing anything', () => {
  test('a bad config names the key, the value and what is allowed', async () => {
    const stack = await createTestStack({ http: { port: 70000 } });
    try {
      for (const verb of [['up'], ['doctor'], ['status']]) {
        const result = await stack.run(verb);
        assert.notEqual(result.code, 0);
        assert.match(
          result.stderr,
          /error CONFIG_INVALID: config key "http\.port" has the value 70000: must be <= 65535/,
        );
        assert.match(result.stderr, /^fix: /m);
        assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
      }
      assert.equal(existsSync(stack.stateDir), false);
    } finally {
      await stack.destroy();
    }
  });

  test('up with the HTTP port taken stops with the reason and the fix', async () => {
    const stack = await createTestStack();
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(stack.httpPort, '127.0.0.1', resolve));
    try {
      const result = await stack.up();
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        new RegExp(`error PORT_BUSY: 127\\.0\\.0\\.1:${stack.httpPort} for nginx is not available`),
      );
      assert.match(result.stderr, /fix: stop the program on that port/);
      assert.equal(existsSync(stack.stateDir), false, 'nothing was created');
    } finally {
      squatter.close();
      await stack.destroy();
    }
  });
});
