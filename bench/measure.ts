/** One scenario: a preflight request, an optional warm-up, then the measured wrk run. */
import { readFileSync } from 'node:fs';
import type { LoggedIn, Target } from './http.js';
import { send } from './http.js';
import { startLogins } from './logins.js';
import type { ScenarioResult } from './report.js';
import { RSS_GROUPS, type StackPids, sampleCpu, watchRss } from './rss.js';
import type { PathList, Scenario } from './scenarios.js';
import { runWrk, SCENARIO_SCRIPT, type WrkResult } from './wrk.js';

export interface RunContext {
  stack: Target;
  reference: Target | null;
  pathFiles: Record<PathList, string>;
  sessions: { member: LoggedIn; editor: LoggedIn };
  login: { email: string; password: string };
  pids: StackPids;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  threads: number;
  log: (line: string) => void;
}

/** The environment that configures bench/lua/scenario.lua for a scenario. */
export function scenarioEnv(s: Scenario, ctx: RunContext): Record<string, string> {
  const env: Record<string, string> = { BENCH_METHOD: s.method };
  if (typeof s.path === 'string' && s.path in ctx.pathFiles)
    env.BENCH_PATHS = ctx.pathFiles[s.path as PathList];
  if (s.body) env.BENCH_BODY = s.body;
  if (s.body === 'login') {
    env.BENCH_EMAIL = ctx.login.email;
    env.BENCH_PASSWORD = ctx.login.password;
  }
  if (s.as) env.BENCH_COOKIE = ctx.sessions[s.as].cookie;
  if (s.as === 'editor') env.BENCH_CSRF = ctx.sessions.editor.csrfToken;
  return env;
}

function firstPath(s: Scenario, ctx: RunContext): string {
  if (!(s.path in ctx.pathFiles)) return s.path;
  const first = readFileSync(ctx.pathFiles[s.path as PathList], 'utf8').split('\n')[0];
  if (!first) throw new Error(`no paths for ${s.name}`);
  return first;
}

/** One request like the load's, so a wrong status shows in the report rather than as a fast 404. */
async function preflight(s: Scenario, ctx: RunContext, target: Target): Promise<number> {
  const headers: Record<string, string> = {};
  if (s.as) headers.cookie = ctx.sessions[s.as].cookie;
  if (s.as === 'editor') headers['x-csrf-token'] = ctx.sessions.editor.csrfToken;
  let body: string | undefined;
  if (s.body) headers['content-type'] = 'application/json';
  if (s.body === 'login') {
    headers['x-forwarded-for'] = '198.18.255.254';
    body = JSON.stringify({ email: ctx.login.email, password: ctx.login.password });
  } else if (s.body === 'article') {
    body = JSON.stringify({
      title: `Bench preflight ${Date.now()}`,
      body: 'Preflight.',
      status: 'published',
    });
  }
  const reply = await send(target, s.method, firstPath(s, ctx), { headers, ...(body ? { body } : {}) });
  return reply.status;
}

/**
 * Before any measurement: every article row read once into MariaDB's buffer pool (a restart
 * leaves it cold) and the read routes compiled by V8, so the first scenario is not the cold one.
 */
export async function warmUp(ctx: RunContext, seconds: number): Promise<void> {
  for (const list of ['articles', 'apiArticles'] as const) {
    await runWrk(
      {
        url: `http://127.0.0.1:${ctx.stack.port}/`,
        host: ctx.stack.host,
        durationSeconds: seconds,
        connections: Math.min(ctx.connections, 16),
        threads: ctx.threads,
        timeoutSeconds: 5,
        script: SCENARIO_SCRIPT,
      },
      { BENCH_METHOD: 'GET', BENCH_PATHS: ctx.pathFiles[list] },
      () => {},
    );
  }
}

export async function runScenario(s: Scenario, ctx: RunContext): Promise<ScenarioResult> {
  const target = s.target === 'stack' ? ctx.stack : ctx.reference;
  if (!target) throw new Error(`${s.name} needs the reference servers`);
  const status = await preflight(s, ctx, target);
  if (status !== s.expect) ctx.log(`  ${s.name}: preflight answered ${status}, expected ${s.expect}`);
  const wrk = (durationSeconds: number, connections: number) =>
    runWrk(
      {
        url: `http://127.0.0.1:${target.port}${typeof s.path === 'string' && !(s.path in ctx.pathFiles) ? s.path : '/'}`,
        host: target.host,
        durationSeconds,
        connections,
        threads: ctx.threads,
        timeoutSeconds: 5,
        script: SCENARIO_SCRIPT,
      },
      scenarioEnv(s, ctx),
      (elapsed) => ctx.log(`  ${s.name}: ${elapsed.toFixed(0)}/${durationSeconds} s`),
    );
  if (ctx.warmupSeconds > 0) await wrk(ctx.warmupSeconds, Math.min(ctx.connections, 16));
  const logins = s.backgroundLoginsPerSecond
    ? startLogins(ctx.stack, s.backgroundLoginsPerSecond, ctx.login.email, ctx.login.password)
    : null;
  const rss = watchRss(ctx.pids);
  const cpuBefore = await sampleCpu(ctx.pids);
  // Stop the samplers and the logins whatever wrk did, then report wrk's failure.
  const outcome = await wrk(ctx.durationSeconds, ctx.connections).then(
    (value): { value: WrkResult } => ({ value }),
    (error: unknown) => ({ error }),
  );
  const cpuAfter = await sampleCpu(ctx.pids);
  const peak = await rss.stop();
  const background = await logins?.stop();
  if (!('value' in outcome)) throw outcome.error;
  const result = outcome.value;
  // wrk counts error answers without saying which: one more request like the load's shows a status.
  const statusAfter = result.statusErrors > 0 ? await preflight(s, ctx, target).catch(() => 0) : undefined;
  const seconds = result.durationUs / 1e6;
  // Cores each part of the stack kept busy on average: what the 2 cores were spent on.
  const cpuCores = { nginx: 0, mariadb: 0, supervisor: 0, workers: 0 };
  for (const group of RSS_GROUPS)
    cpuCores[group] = seconds > 0 ? Math.max(0, (cpuAfter[group] - cpuBefore[group]) / seconds) : 0;
  return {
    name: s.name,
    title: s.title,
    target: s.target,
    preflightStatus: status,
    expected: s.expect,
    requests: result.requests,
    requestsPerSecond: seconds > 0 ? result.requests / seconds : 0,
    p50Ms: result.p50Us / 1000,
    p90Ms: result.p90Us / 1000,
    p99Ms: result.p99Us / 1000,
    non2xx: result.statusErrors,
    socketErrors: result.connectErrors + result.readErrors + result.writeErrors + result.timeouts,
    rssPeak: peak,
    cpuCores,
    ...(statusAfter === undefined ? {} : { statusAfter }),
    ...(background ? { backgroundLogins: background } : {}),
  };
}
