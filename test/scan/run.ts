/**
 * `npm run scan`: brings a whole stack up on loopback (HTTPS on, demo content, an editor account),
 * runs sqlmap, wapiti and testssl against it, each under a hard timeout, reads their reports and
 * exits non-zero on any finding (or a scanner that did not finish). Reports: artifacts/scan/.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { statePaths } from '../../src/stack/core/paths.js';
import { localHost } from '../../src/stack/host/index.js';
import { ensurePackages } from '../../src/stack/operations/install/install.js';
import { freePort } from '../support/nginx.js';
import { createTestStack } from '../support/stack.js';
import { login, type ScanResult } from './runner.js';
import { runSqlmap, runTestssl, runWapiti } from './steps.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const reports = join(root, 'artifacts', 'scan');
const EDITOR = { email: 'scanner@example.com', password: 'scanner passphrase 4711' };

const started = Date.now();
// The scanners are among the test tools the installer adds (policy-rc.d guarded, like the rest).
await ensurePackages(localHost, { withTestTools: true, log: (line) => console.log(line) });
await rm(reports, { recursive: true, force: true });
await mkdir(reports, { recursive: true });

const stack = await createTestStack();
let failed = true;
try {
  const httpsPort = await freePort();
  const config = JSON.parse(await readFile(stack.configFile, 'utf8')) as { http: Record<string, unknown> };
  // No per-address limit at Nginx: every scanner request comes from 127.0.0.1.
  config.http.authRatePerMinute = 0;
  await writeFile(stack.configFile, JSON.stringify({ ...config, https: { enabled: true, port: httpsPort } }));
  const up = await stack.up();
  if (up.code !== 0) throw new Error(`webstack up failed:\n${up.stderr}${up.stdout}`);
  const added = await stack.run(['user', 'add', '--email', EDITOR.email, '--role', 'editor'], {
    input: `${EDITOR.password}\n`,
  });
  if (added.code !== 0) throw new Error(`user add failed:\n${added.stderr}`);
  const caFile = join(statePaths(stack.stateDir).nginx.prefix, 'tls', 'self-signed.crt');
  const ca = await readFile(caFile, 'utf8');
  const target = {
    port: httpsPort,
    caFile,
    reports,
    dir: stack.dir,
    login: () => login({ port: httpsPort, ca, ...EDITOR }),
  };
  await target.login();
  console.log(`stack up (https://www.foobar.com:${httpsPort}/), editor can log in; scanning`);

  // The three scanners run side by side; each has its own hard timeout.
  const results: ScanResult[] = (
    await Promise.all([runSqlmap(target), runWapiti(target), runTestssl(target)])
  ).flat();
  for (const result of results) {
    console.log(`\n== ${result.name}: ${result.ok ? 'PASS' : 'FAIL'} (${Math.round(result.seconds)} s)`);
    for (const line of result.summary) console.log(`   ${line}`);
  }
  failed = results.some((r) => !r.ok);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
} finally {
  await stack.destroy();
}
const seconds = Math.round((Date.now() - started) / 1000);
console.log(`\nscan ${failed ? 'FAILED' : 'passed'} in ${seconds} s; reports in ${reports}`);
process.exitCode = failed ? 1 : 0;
