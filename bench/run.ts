/**
 * `npm run bench` / `webstack bench`: brings up a bench stack (or attaches to a running one),
 * loads the data set, starts the reference servers, drives every scenario through Nginx with wrk,
 * and writes the report (Markdown and JSON) to artifacts/bench/.
 */

import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { SITE_ASSETS_DIR } from '../src/contract.js';
import { APP_DB_USER, databaseAddress } from '../src/stack/components/appserver/site-env.js';
import { statePaths } from '../src/stack/core/paths.js';
import { renderHtmlReport } from './chart.js';
import {
  BENCH_EMAILS,
  connectDb,
  ensureAccount,
  loadData,
  publishedSlugs,
  removeBenchAccounts,
} from './db.js';
import { logIn, send } from './http.js';
import { type RunContext, runScenario, warmUp } from './measure.js';
import { parseBenchArgs } from './options.js';
import { type Reference, startReference } from './reference/index.js';
import { REFERENCE_PATHS } from './reference/nginx-conf.js';
import {
  type BenchReport,
  checkTargets,
  renderComparison,
  renderMarkdown,
  type ScenarioResult,
} from './report.js';
import { RSS_GROUPS, type RssSample, samplePss, sampleRss } from './rss.js';
import { allScenarios, selectScenarios, zipfPaths } from './scenarios.js';
import { attachStack, type BenchStack, bringUpStack, stackPids, timeRestart } from './stack.js';

const options = (() => {
  try {
    return parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    // commander has printed the usage error (or the help) already.
    const code = (error as { exitCode?: number }).exitCode;
    process.exit(typeof code === 'number' ? code : 2);
  }
})();
const startedAt = new Date();
const log = (line: string) =>
  console.log(`[${((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(3)} s] ${line}`);

let stack: BenchStack | null = null;
let reference: Reference | null = null;
let scratch: string | null = null;
let accounts: Awaited<ReturnType<typeof ensureAccount>>[] = [];

async function cleanUp(): Promise<void> {
  await reference?.stop();
  if (stack && !stack.owned && accounts.length > 0) {
    const db = await connectDb(stack.config);
    await removeBenchAccounts(db, accounts).finally(() => db.end());
  }
  if (stack?.owned) log('taking the bench stack down');
  await stack?.destroy();
  if (scratch) await rm(scratch, { recursive: true, force: true });
}

process.once('SIGINT', () => {
  log('interrupted: stopping what the bench started');
  void cleanUp().finally(() => process.exit(130));
});

function peakOf(results: readonly ScenarioResult[]): RssSample | null {
  const stackRuns = results.filter((r) => r.target === 'stack');
  if (stackRuns.length === 0) return null;
  const peak = { nginx: 0, mariadb: 0, supervisor: 0, workers: 0, total: 0 };
  for (const r of stackRuns)
    for (const k of [...RSS_GROUPS, 'total'] as const) peak[k] = Math.max(peak[k], r.rssPeak[k]);
  return peak;
}

async function main(): Promise<void> {
  const previous = options.compare
    ? (JSON.parse(await readFile(options.compare, 'utf8')) as BenchReport)
    : null;
  log(
    options.attach
      ? 'attaching to the running stack'
      : `bringing up a bench stack (webstack up; micro-cache ${options.microCache ? 'on' : 'off'})`,
  );
  stack = options.attach
    ? await attachStack(options.config)
    : await bringUpStack({ microCache: options.microCache });
  const config = stack.config;
  const workers = config.app.workers || availableParallelism();

  const db = await connectDb(config);
  let slugs: string[] = [];
  try {
    accounts = [
      await ensureAccount(db, BENCH_EMAILS.editor, 'editor'),
      await ensureAccount(db, BENCH_EMAILS.member, 'member'),
    ];
    if (stack.owned) {
      log(`loading ${options.articles} articles and ${options.products} products`);
      await loadData(db, options, accounts[0]?.id ?? 0);
    }
    slugs = await publishedSlugs(db, 20_000);
  } finally {
    await db.end();
  }
  if (slugs.length === 0) throw new Error('the site has no published article to load');

  let up: Awaited<ReturnType<typeof timeRestart>> | null = null;
  if (stack.owned) {
    log('timing webstack up on the initialised state directory (down, then up)');
    up = await timeRestart(stack);
    log(`  up → healthy in ${up.seconds.toFixed(1)} s`);
  }
  const pids = await stackPids(stack);
  const target = { port: config.http.port, host: config.siteHost };

  scratch = stack.dir ? null : await mkdtemp(join(tmpdir(), 'webstack-bench-'));
  // mkdtemp makes it 0700; the reference nginx's workers (nobody) must reach the page inside.
  if (scratch) await chmod(scratch, 0o755);
  const dir = join(stack.dir ?? scratch ?? tmpdir(), 'bench');
  await mkdir(dir, { recursive: true });
  const pathFiles = {
    articles: join(dir, 'articles.txt'),
    apiArticles: join(dir, 'api-articles.txt'),
    refArticles: join(dir, 'ref-articles.txt'),
    zipfArticles: join(dir, 'zipf-articles.txt'),
  };
  await writeFile(pathFiles.articles, `${slugs.map((s) => `/articles/${s}`).join('\n')}\n`);
  await writeFile(pathFiles.apiArticles, `${slugs.map((s) => `/api/v1/articles/${s}`).join('\n')}\n`);
  await writeFile(pathFiles.zipfArticles, `${zipfPaths(slugs.map((s) => `/articles/${s}`)).join('\n')}\n`);
  await writeFile(
    pathFiles.refArticles,
    `${slugs.map((s) => `${REFERENCE_PATHS.fastify}${s}`).join('\n')}\n`,
  );

  const page = await send(target, 'GET', `/articles/${slugs[0]}`);
  const asset = /href="(\/assets\/[^"]+\.css)"/.exec(page.body)?.[1];
  if (page.status !== 200 || !asset)
    throw new Error(`the article page answered ${page.status} without a stylesheet`);
  const scenarios = selectScenarios(
    allScenarios({
      asset,
      refAsset: `/assets/${basename(asset)}`,
      staticPage: REFERENCE_PATHS.static,
      nodeHttp: REFERENCE_PATHS.nodeHttp,
    }),
    options.scenarios,
  );
  const [editor, member] = accounts;
  if (!editor || !member) throw new Error('bench accounts missing');
  const sessions = {
    editor: await logIn(target, editor.email, editor.password),
    member: await logIn(target, member.email, member.password),
  };

  if (scenarios.some((s) => s.target === 'reference')) {
    log(`starting the reference servers (nginx, node:http and Fastify+mysql2, ${workers} workers each)`);
    const paths = statePaths(config.stateDir);
    const address = databaseAddress(config, paths);
    const secrets = JSON.parse(await readFile(paths.secrets, 'utf8')) as { appDbPassword: string };
    reference = await startReference({
      dir: join(dir, 'reference'),
      host: target.host,
      page: page.body,
      workers,
      assetsDir: join(paths.current, SITE_ASSETS_DIR),
      asset: { name: basename(asset), body: (await send(target, 'GET', asset)).body },
      db: {
        ...(address.socket ? { socketPath: address.socket } : { host: address.host, port: address.port }),
        user: APP_DB_USER,
        password: secrets.appDbPassword,
        database: config.database.name,
        connectionLimit: config.database.poolSize,
      },
    });
    // The fair reference: the same page, byte for byte, so the ratio measures only the framework.
    const refPage = await send(
      { port: reference.port, host: target.host },
      'GET',
      `${REFERENCE_PATHS.fastify}${slugs[0]}`,
    );
    if (refPage.body !== page.body)
      throw new Error(
        `the Fastify reference's article page differs from the site's (${refPage.body.length} vs ${page.body.length} bytes)`,
      );
  }

  const ctx: RunContext = {
    stack: target,
    reference: reference ? { port: reference.port, host: target.host } : null,
    pathFiles,
    sessions,
    login: { email: member.email, password: member.password },
    pids,
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
    connections: options.connections,
    threads: options.threads,
    log,
  };
  if (!options.smoke) {
    log('warming up: article pages and API articles, 4 s each');
    await warmUp(ctx, 4);
  }
  await delay(options.smoke ? 200 : 2000);
  const rssIdle = await sampleRss(pids);
  const pssIdle = await samplePss(pids);
  const loadAverage = loadavg()[0] ?? 0;
  log(
    `idle RSS: ${rssIdle.total} MiB (nginx ${rssIdle.nginx}, mariadb ${rssIdle.mariadb}, supervisor ${rssIdle.supervisor}, workers ${rssIdle.workers})`,
  );

  const results: ScenarioResult[] = [];
  for (const [i, s] of scenarios.entries()) {
    // Let the previous scenario's queued work finish before the next one starts.
    if (i > 0 && !options.smoke) await delay(1000);
    log(`[${i + 1}/${scenarios.length}] ${s.title}`);
    const r = await runScenario(s, ctx);
    results.push(r);
    log(
      `  ${r.requestsPerSecond.toFixed(0)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ` +
        `non-2xx ${r.non2xx}, socket errors ${r.socketErrors}`,
    );
  }

  // Refresh on write: how long after an edit's answer an anonymous reader sees the new title.
  let writeVisibleMs: number | null = null;
  if (options.microCache && slugs[0]) {
    const slug = slugs[0];
    await send(target, 'GET', `/articles/${slug}`);
    const title = `Edited by the bench ${Date.now()}`;
    const edit = await send(target, 'PATCH', `/api/v1/articles/${slug}`, {
      headers: {
        cookie: sessions.editor.cookie,
        'x-csrf-token': sessions.editor.csrfToken,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ title }),
    });
    const answered = Date.now();
    if (edit.status === 200) {
      while (Date.now() - answered < 5000) {
        const page = await send(target, 'GET', `/articles/${slug}`);
        if (page.body.includes(title)) {
          writeVisibleMs = Date.now() - answered;
          break;
        }
        await delay(20);
      }
    }
    log(
      `an edited title reached anonymous readers ${writeVisibleMs === null ? 'never (5 s)' : `after ${writeVisibleMs} ms`}`,
    );
  }

  const partial = {
    version: 1 as const,
    startedAt: startedAt.toISOString(),
    mode: options.smoke ? ('smoke' as const) : ('full' as const),
    attached: !stack.owned,
    settings: {
      durationSeconds: options.durationSeconds,
      connections: options.connections,
      threads: options.threads,
      articles: stack.owned ? options.articles : slugs.length,
      products: stack.owned ? options.products : 0,
      workers,
      loadAverage,
    },
    upToHealthySeconds: up?.seconds ?? null,
    upPhases: up?.phases ?? [],
    rssIdle,
    pssIdle,
    microCache: options.microCache,
    writeVisibleMs,
    rssLoadPeak: peakOf(results),
    scenarios: results,
    totalSeconds: (Date.now() - startedAt.getTime()) / 1000,
  };
  const report: BenchReport = { ...partial, targets: checkTargets(partial) };
  const markdown = renderMarkdown(report) + (previous ? `\n${renderComparison(previous, report)}` : '');
  const out = resolve(options.outDir);
  await mkdir(out, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  await writeFile(join(out, `bench-${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(out, `bench-${stamp}.md`), markdown);
  await writeFile(join(out, `bench-${stamp}.html`), renderHtmlReport(report));
  await writeFile(join(out, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${markdown}`);
  log(`report written to ${join(out, `bench-${stamp}.md`)}, .json and .html (charts)`);
}

try {
  await main();
} catch (error) {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
