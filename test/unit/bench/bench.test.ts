import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { benchArticle, benchProduct, multiRowInsert } from '../../../bench/data.js';
import { parseBenchArgs } from '../../../bench/options.js';
import {
  type BenchReport,
  checkTargets,
  renderComparison,
  type ScenarioResult,
} from '../../../bench/report.js';
import { cpuTicks, pidsFromStatus, vmRssKib } from '../../../bench/rss.js';
import { allScenarios, RUN_ORDER, selectScenarios } from '../../../bench/scenarios.js';
import { upPhases } from '../../../bench/stack.js';
import { parseWrkOutput, wrkArgv } from '../../../bench/wrk.js';
import { benchArgv } from '../../../src/stack/cli/bench.js';

describe('bench data', () => {
  test('the same article number gives the same row; different numbers differ', () => {
    assert.deepEqual(benchArticle(42, 7), benchArticle(42, 7));
    assert.notEqual(benchArticle(42, 7).body_md, benchArticle(43, 7).body_md);
    const a = benchArticle(1, 7);
    assert.equal(a.slug, 'bench-article-000001');
    assert.equal(a.body_html.split('<p>').length - 1, a.body_md.split('\n\n').length);
    assert.ok(benchProduct(3).price_cents >= 100);
  });

  test('multiRowInsert builds one parameterised statement for a batch', () => {
    const { sql, values } = multiRowInsert('products', [benchProduct(1), benchProduct(2)]);
    const columns = Object.keys(benchProduct(1)).length;
    assert.match(sql, /^INSERT INTO products \(slug, name, /);
    assert.equal(sql.split('?').length - 1, 2 * columns);
    assert.equal(values.length, 2 * columns);
    assert.match(sql, /ON DUPLICATE KEY UPDATE id = id$/);
    assert.throws(() => multiRowInsert('articles', []));
  });
});

describe('wrk', () => {
  test('argv: one thread, connections, duration, latency, the script and the Host header', () => {
    const argv = wrkArgv({
      url: 'http://127.0.0.1:8080/',
      host: 'www.foobar.com',
      durationSeconds: 10,
      connections: 64,
      threads: 1,
      timeoutSeconds: 5,
      script: '/b/scenario.lua',
    });
    assert.deepEqual(argv, [
      'wrk',
      '-t1',
      '-c64',
      '-d10s',
      '--timeout',
      '5s',
      '--latency',
      '-s',
      '/b/scenario.lua',
      '-H',
      'Host: www.foobar.com',
      'http://127.0.0.1:8080/',
    ]);
  });

  test('the done() line is parsed; its absence is an error', () => {
    const line =
      'BENCH_JSON {"requests":10,"durationUs":1000000,"bytes":5,"connectErrors":0,"readErrors":1,' +
      '"writeErrors":0,"statusErrors":2,"timeouts":0,"p50Us":100,"p90Us":200,"p99Us":300,"meanUs":120.5,"maxUs":400}';
    const result = parseWrkOutput(`Running 1s test\n${line}\n`);
    assert.equal(result.requests, 10);
    assert.equal(result.p99Us, 300);
    assert.throws(() => parseWrkOutput('Running 1s test\n'), /no result line/);
    assert.throws(() => parseWrkOutput('BENCH_JSON {"requests":1}'), /lacks durationUs/);
  });
});

describe('bench options and scenarios', () => {
  test('smoke shortens everything; --config implies --attach', () => {
    const smoke = parseBenchArgs(['--smoke']);
    assert.equal(smoke.durationSeconds, 3);
    assert.equal(smoke.articles, 200);
    const full = parseBenchArgs(['--config', 'x.json', '--duration', '5', '--scenarios', 'home,article']);
    assert.equal(full.attach, true);
    assert.equal(full.durationSeconds, 5);
    assert.equal(full.connections, 64);
    assert.deepEqual(full.scenarios, ['home', 'article']);
    const attached = parseBenchArgs(['--attach']);
    assert.equal(attached.attach, true);
    assert.equal(attached.config, undefined);
    assert.equal(parseBenchArgs([]).attach, false);
    assert.equal(parseBenchArgs([]).microCache, true);
    assert.equal(parseBenchArgs(['--no-micro-cache']).microCache, false);
  });

  test('every scenario runs in RUN_ORDER; an unknown name is refused', () => {
    const all = allScenarios({
      asset: '/assets/a.css',
      refAsset: '/assets/a.css',
      staticPage: '/s',
      nodeHttp: '/n',
    });
    assert.deepEqual(
      all.map((s) => s.name),
      [...RUN_ORDER],
    );
    assert.deepEqual(
      selectScenarios(all, ['article', 'static']).map((s) => s.name),
      ['static', 'article'],
    );
    assert.throws(() => selectScenarios(all, ['nope']), /unknown scenario nope/);
  });

  test('webstack bench runs the compiled bench attached, passing only the options given', () => {
    assert.deepEqual(
      benchArgv('/usr/bin/node', '/repo/dist/bench/bench/run.js', '/etc/w.json', { duration: '3' }),
      [
        '/usr/bin/node',
        '/repo/dist/bench/bench/run.js',
        '--attach',
        '--config',
        '/etc/w.json',
        '--duration',
        '3',
      ],
    );
    assert.deepEqual(benchArgv('/n', '/r', null, {}).slice(-1), ['--attach']);
  });
});

describe('process and log parsing', () => {
  test('VmRSS in KiB, 0 without it', () => {
    assert.equal(vmRssKib('Name:\tnode\nVmRSS:\t  123456 kB\nVmSwap: 0 kB\n'), 123456);
    assert.equal(vmRssKib('Name:\tkthreadd\n'), 0);
  });

  test('CPU ticks are utime + stime, even when the process name holds spaces and parentheses', () => {
    const stat = '42 (node (a b)) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 100 0 0';
    assert.equal(cpuTicks(stat), 300);
  });

  test('pids come from status --json; a stopped stack is an error', () => {
    const json = JSON.stringify({
      running: true,
      supervisor: { pid: 10 },
      components: [
        { name: 'mariadb', pid: 11 },
        { name: 'nginx', pid: 12 },
      ],
    });
    assert.deepEqual(pidsFromStatus(json), { supervisor: 10, mariadb: 11, nginx: 12 });
    assert.throws(() => pidsFromStatus('{"running":false}'), /not running/);
  });

  test('up phases: from the last start to serving, each until the next line', () => {
    const log = [
      '2026-01-01T00:00:00.000Z preparing the state directory',
      '2026-01-01T00:00:09.000Z stopping',
      '2026-01-01T00:01:00.000Z preparing the state directory',
      '2026-01-01T00:01:00.500Z starting MariaDB',
      '2026-01-01T00:01:02.000Z starting nginx',
      '2026-01-01T00:01:02.100Z serving http://www.foobar.com/',
    ].join('\n');
    assert.deepEqual(upPhases(log), [
      { phase: 'preparing the state directory', seconds: 0.5 },
      { phase: 'starting MariaDB', seconds: 1.5 },
      { phase: 'starting nginx', seconds: 0.1 },
    ]);
  });
});

describe('report', () => {
  const scenario = (name: string, rps: number, p99 = 10): ScenarioResult => ({
    name,
    title: name,
    target: name.startsWith('ref-') ? 'reference' : 'stack',
    preflightStatus: 200,
    expected: 200,
    requests: rps * 10,
    requestsPerSecond: rps,
    p50Ms: 1,
    p90Ms: 5,
    p99Ms: p99,
    non2xx: 0,
    socketErrors: 0,
    rssPeak: { nginx: 1, mariadb: 1, supervisor: 1, workers: 1, total: 4 },
    cpuCores: { nginx: 0.1, mariadb: 0.1, supervisor: 0.1, workers: 1 },
  });
  const base = {
    version: 1 as const,
    startedAt: 'then',
    mode: 'full' as const,
    attached: false,
    settings: {
      durationSeconds: 10,
      connections: 64,
      threads: 1,
      articles: 1,
      products: 1,
      workers: 2,
      loadAverage: 1,
    },
    upToHealthySeconds: 6,
    upPhases: [],
    rssIdle: { nginx: 10, mariadb: 100, supervisor: 60, workers: 200, total: 370 },
    rssLoadPeak: { nginx: 10, mariadb: 100, supervisor: 60, workers: 300, total: 470 },
    totalSeconds: 1,
    scenarios: [
      scenario('ref-static', 1000),
      scenario('ref-fastify', 400),
      scenario('article', 500),
      scenario('home', 800, 10),
      scenario('home-under-logins', 700, 25),
    ],
  };

  test('targets are ratios within the run; what did not run is neither met nor missed', () => {
    const checks = checkTargets({ ...base, microCache: false });
    const find = (name: string) => checks.find((c) => c.name.startsWith(name));
    assert.deepEqual(find('article, anonymous, micro-cache off'), {
      name: 'article, anonymous, micro-cache off',
      goal: '≥ 0.9× Fastify ref (same page)',
      measured: '1.25×',
      met: true,
    });
    assert.equal(find('article Zipf')?.met, null);
    assert.equal(find('static asset')?.met, null);
    assert.equal(find('home p99 under 20 logins/s')?.met, true);
    assert.equal(find('stack RSS, idle')?.met, false);
    assert.equal(find('stack RSS, under load (peak)')?.met, false);
    assert.equal(find('up → healthy (initialised)')?.met, false);
  });

  test('with the micro-cache on: the Zipf target needs the ratio and a write visible within 1 s', () => {
    const run = {
      ...base,
      microCache: true,
      scenarios: [...base.scenarios, scenario('article-zipf', 800)],
    };
    const zipf = (writeVisibleMs: number | null) =>
      checkTargets({ ...run, writeVisibleMs }).find((c) => c.name.startsWith('article Zipf'));
    assert.equal(zipf(120)?.met, true);
    assert.match(zipf(120)?.measured ?? '', /0\.80×, write visible after 120 ms/);
    assert.equal(zipf(1500)?.met, false);
    assert.equal(zipf(null)?.met, false);
    assert.equal(checkTargets(run).find((c) => c.name.startsWith('article, anonymous'))?.met, null);
  });

  test('a ratio made of error answers is missed, whatever its value', () => {
    const erring = { ...scenario('home', 5000), non2xx: 40_000 };
    const others = base.scenarios.filter((s) => s.name !== 'home');
    const checks = checkTargets({ ...base, scenarios: [...others, erring] });
    assert.equal(checks.find((c) => c.name === 'home p99 under 20 logins/s')?.met, false);
    assert.match(checks.find((c) => c.name === 'home p99 under 20 logins/s')?.measured ?? '', /errors/);
  });

  test('the comparison shows the change of req/s and p99 for scenarios in both runs', () => {
    const before = { ...base, targets: [] } as BenchReport;
    const now = { ...base, scenarios: [scenario('article', 600, 5)], targets: [] } as BenchReport;
    const text = renderComparison(before, now);
    assert.match(text, /\| article \| 500 → 600 \| \+20\.0% \| 10\.00 → 5\.00 \| -50\.0% \|/);
  });
});
