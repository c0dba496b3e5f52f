/** One step per scanner: run it (bounded), keep its output under reports/, turn its report into a verdict. */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Bounded, runBounded, type ScanResult } from './runner.js';
import {
  type Argv,
  hostsFileText,
  inHostsNamespace,
  sqlmapApiArgv,
  sqlmapCrawlArgv,
  sqlmapFindings,
  sqlmapFormsArgv,
  sqlmapLoginArgv,
  testsslArgv,
  testsslFindings,
  wapitiArgv,
  wapitiFindings,
} from './scanners.js';

export interface Target {
  port: number;
  /** A fresh editor session (Cookie header value): each scanner run gets its own, as one may log out. */
  login(): Promise<string>;
  caFile: string;
  reports: string;
  dir: string;
}

const baseUrl = (target: Target) => `https://www.foobar.com:${target.port}/`;

/** Runs argv where www.foobar.com resolves to 127.0.0.1, saving its console output as reports/NAME.log. */
async function scan(target: Target, name: string, argv: Argv, timeoutMs: number): Promise<Bounded> {
  const hosts = join(target.dir, 'scan-hosts');
  await writeFile(hosts, hostsFileText(['www.foobar.com', 'foobar.com']));
  const result = await runBounded(inHostsNamespace(hosts, argv), timeoutMs);
  await writeFile(
    join(target.reports, `${name}.log`),
    `$ ${argv.join(' ')}\n${result.stdout}\n${result.stderr}`,
  );
  return result;
}

function unfinished(result: Bounded): string[] {
  if (result.timedOut) return ['did not finish within its hard timeout'];
  return result.code === 0
    ? []
    : [`exited ${result.code}: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`];
}

/** sqlmap's own logs, per target host, under its output dir. */
async function sqlmapLogs(dir: string): Promise<string> {
  const hosts = await readdir(dir).catch(() => [] as string[]);
  const logs = await Promise.all(hosts.map((h) => readFile(join(dir, h, 'log'), 'utf8').catch(() => '')));
  return logs.join('\n');
}

export async function runSqlmap(target: Target): Promise<ScanResult[]> {
  // The crawler finds links but not the forms behind a session, so the form pages are also listed.
  const urlsFile = join(target.dir, 'sqlmap-form-pages');
  const pages = ['register', 'account/password', 'articles/new', 'products/new'].map(
    (p) => `${baseUrl(target)}${p}`,
  );
  await writeFile(urlsFile, `${pages.join('\n')}\n`);
  const forms = (options: { baseUrl: string; outputDir: string; cookie?: string }) =>
    sqlmapFormsArgv({ ...options, urlsFile });
  const runs = [
    { name: 'sqlmap crawl+forms', build: sqlmapCrawlArgv, timeoutMs: 240_000, editor: true },
    { name: 'sqlmap forms (editor)', build: forms, timeoutMs: 240_000, editor: true },
    { name: 'sqlmap POST /login', build: sqlmapLoginArgv, timeoutMs: 180_000, editor: false },
    { name: 'sqlmap /api/v1/articles', build: sqlmapApiArgv, timeoutMs: 180_000, editor: true },
  ];
  const results: ScanResult[] = [];
  for (const [i, run] of runs.entries()) {
    const outputDir = join(target.reports, `sqlmap-${i}`);
    const cookie = run.editor ? await target.login() : undefined;
    const argv = run.build({ baseUrl: baseUrl(target), outputDir, cookie });
    const result = await scan(target, `sqlmap-${i}`, argv, run.timeoutMs);
    const findings = sqlmapFindings(`${result.stdout}\n${await sqlmapLogs(outputDir)}`);
    const tested = (result.stdout.match(/testing '/g) ?? []).length;
    const problems = [...unfinished(result), ...findings];
    results.push({
      name: run.name,
      ok: problems.length === 0,
      seconds: result.seconds,
      summary: problems.length > 0 ? problems : [`no injection found (${tested} techniques tried)`],
    });
  }
  return results;
}

export async function runWapiti(target: Target): Promise<ScanResult[]> {
  const report = join(target.reports, 'wapiti.json');
  const argv = wapitiArgv({
    baseUrl: baseUrl(target),
    report,
    sessionDir: join(target.dir, 'wapiti-session'),
    maxScanSeconds: 420,
    cookie: await target.login(),
  });
  const result = await scan(target, 'wapiti', argv, 540_000);
  const text = await readFile(report, 'utf8').catch(() => '');
  if (!text)
    return [
      { name: 'wapiti', ok: false, seconds: result.seconds, summary: ['no report', ...unfinished(result)] },
    ];
  const { vulnerabilities, accepted, anomalies } = wapitiFindings(text);
  const describe = (v: { category: string; method: string; path: string; parameter: string; info: string }) =>
    `${v.category}: ${v.method} ${v.path} ${v.parameter ? `[${v.parameter}] ` : ''}${v.info}`;
  const crawled = result.stdout.match(/\d+ (?:URLs|resources)[^\n]*/)?.[0];
  return [
    {
      name: 'wapiti',
      ok: vulnerabilities.length === 0 && unfinished(result).length === 0,
      seconds: result.seconds,
      summary: [
        `${vulnerabilities.length} vulnerabilities, ${accepted.length} accepted, ${anomalies.length} anomalies${crawled ? ` (${crawled})` : ''}`,
        ...unfinished(result),
        ...vulnerabilities.map((v) => `VULNERABILITY ${describe(v)}`),
        ...anomalies.map((a) => `anomaly ${describe(a)}`),
        ...accepted.map((a) => `accepted ${describe(a)}`),
      ],
    },
  ];
}

export async function runTestssl(target: Target): Promise<ScanResult[]> {
  const jsonFile = join(target.reports, 'testssl.json');
  const argv = testsslArgv({ url: baseUrl(target), jsonFile, caFile: target.caFile });
  const result = await scan(target, 'testssl', argv, 720_000);
  const text = await readFile(jsonFile, 'utf8').catch(() => '');
  if (!text)
    return [
      { name: 'testssl', ok: false, seconds: result.seconds, summary: ['no report', ...unfinished(result)] },
    ];
  const { failing, accepted } = testsslFindings(text);
  const line = (i: { id: string; severity: string; finding: string }) =>
    `${i.severity} ${i.id}: ${i.finding}`;
  return [
    {
      name: 'testssl',
      // testssl's exit code counts findings, so only a timeout or a missing report means it did not run.
      ok: failing.length === 0 && !result.timedOut,
      seconds: result.seconds,
      summary: [
        `${failing.length} HIGH/CRITICAL findings, ${accepted.length} accepted`,
        ...(result.timedOut ? ['did not finish within its hard timeout'] : []),
        ...failing.map(line),
        ...accepted.map((i) => `accepted ${line(i)}`),
      ],
    },
  ];
}
