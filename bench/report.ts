/** The bench's results: the JSON shape, the targets of issue 17, and the Markdown. Pure. */
import type { CpuSample, RssSample } from './rss.js';

export interface ScenarioResult {
  name: string;
  title: string;
  target: 'stack' | 'reference';
  /** Status of the one request sent before the load (compare with `expected`). */
  preflightStatus: number;
  expected: number;
  /** When some answers were errors: the status of one request sent right after the load. */
  statusAfter?: number;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** Responses with status >= 400 (wrk counts those). */
  non2xx: number;
  /** Connect, read and write errors and timeouts. */
  socketErrors: number;
  /** Peak RSS of the stack's processes during the scenario (MiB). */
  rssPeak: RssSample;
  /** Average cores used by each part of the stack during the load (stack scenarios). */
  cpuCores: CpuSample;
  backgroundLogins?: { sent: number; ok: number; failed: number };
}

export interface TargetCheck {
  name: string;
  goal: string;
  measured: string;
  met: boolean | null;
}

export interface BenchReport {
  version: 1;
  startedAt: string;
  mode: 'full' | 'smoke';
  /** True when the bench ran against a stack it did not bring up itself. */
  attached: boolean;
  settings: {
    durationSeconds: number;
    connections: number;
    threads: number;
    articles: number;
    products: number;
    workers: number;
    /** The machine's 1-minute load average before the first scenario: other work skews every figure. */
    loadAverage: number;
  };
  upToHealthySeconds: number | null;
  upPhases: { phase: string; seconds: number }[];
  rssIdle: RssSample | null;
  /** The same groups in PSS (shared pages split among their sharers); absent in older reports. */
  pssIdle?: RssSample | null;
  /** Whether the stack ran with its micro-cache (absent in older reports: it was on). */
  microCache?: boolean;
  /** After an article edit answered, when an anonymous GET first showed it (ms; null: never). */
  writeVisibleMs?: number | null;
  rssLoadPeak: RssSample | null;
  scenarios: ScenarioResult[];
  targets: TargetCheck[];
  totalSeconds: number;
}

/** Answers as expected: the first status right, at most 1% errors, and some answers at all. */
export function healthy(s: ScenarioResult): boolean {
  return s.requests > 0 && s.preflightStatus === s.expected && s.non2xx + s.socketErrors <= 0.01 * s.requests;
}

const fixed = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/** The issue's targets (issue 17), each as a ratio of two figures measured in the same run. */
export function checkTargets(report: Omit<BenchReport, 'targets'>): TargetCheck[] {
  const by = new Map(report.scenarios.map((s) => [s.name, s]));
  const rps = (name: string) => by.get(name)?.requestsPerSecond;
  // A figure made of error answers is not a figure: more than 1% errors, or a wrong first status.
  const failing = (name: string) => {
    const s = by.get(name);
    return s !== undefined && !healthy(s);
  };
  const notRun = (name: string, goal: string, why = 'not run') => ({ name, goal, measured: why, met: null });
  const ratio = (name: string, goal: string, a: string, b: string, min: number) => {
    const [x, y] = [rps(a), rps(b)];
    if (x === undefined || y === undefined || y === 0) return notRun(name, goal);
    const r = x / y;
    if (failing(a) || failing(b)) return { name, goal, measured: `${fixed(r)}× (with errors)`, met: false };
    return { name, goal, measured: `${fixed(r)}×`, met: r >= min };
  };
  // The app's own speed needs the micro-cache off; the refresh-on-write cache needs it on.
  const cacheOff = report.microCache === false;
  const checks: TargetCheck[] = [
    cacheOff
      ? ratio(
          'article, anonymous, micro-cache off',
          '≥ 0.9× Fastify ref (same page)',
          'article',
          'ref-fastify',
          0.9,
        )
      : notRun(
          'article, anonymous, micro-cache off',
          '≥ 0.9× Fastify ref (same page)',
          'needs --no-micro-cache',
        ),
    cacheOff
      ? ratio('API article, micro-cache off', '≥ 1.0× Fastify ref', 'api-article', 'ref-fastify', 1.0)
      : notRun('API article, micro-cache off', '≥ 1.0× Fastify ref', 'needs --no-micro-cache'),
    ratio('article, logged-in member', '≥ 0.7× Fastify ref', 'member-article', 'ref-fastify', 0.7),
  ];
  const zipfGoal = '≥ 0.7× static ceiling, a write visible ≤ 1 s';
  if (cacheOff)
    checks.push(notRun('article Zipf (s ≈ 1), refresh-on-write cache', zipfGoal, 'needs the micro-cache'));
  else {
    const zipf = ratio(
      'article Zipf (s ≈ 1), refresh-on-write cache',
      zipfGoal,
      'article-zipf',
      'ref-static',
      0.7,
    );
    const visible = report.writeVisibleMs ?? null;
    checks.push({
      ...zipf,
      measured: `${zipf.measured}, write visible ${visible === null ? 'never' : `after ${visible} ms`}`,
      met: zipf.met === null ? null : zipf.met && visible !== null && visible <= 1000,
    });
  }
  checks.push(ratio('static asset', '≥ 0.95× static ceiling (same file)', 'static', 'ref-asset', 0.95));
  const home = by.get('home')?.p99Ms;
  const underLogins = by.get('home-under-logins')?.p99Ms;
  const loginsGoal = '≤ 3× its quiet p99';
  if (home === undefined || underLogins === undefined)
    checks.push(notRun('home p99 under 20 logins/s', loginsGoal));
  else if (failing('home') || failing('home-under-logins') || home === 0)
    checks.push({
      name: 'home p99 under 20 logins/s',
      goal: loginsGoal,
      measured: 'home answered with errors',
      met: false,
    });
  else {
    const r = underLogins / home;
    checks.push({
      name: 'home p99 under 20 logins/s',
      goal: loginsGoal,
      measured: `${fixed(r)}× (${fixed(underLogins, 1)} ms vs ${fixed(home, 1)} ms)`,
      met: r <= 3,
    });
  }
  const mib = (name: string, goal: string, value: number | undefined, ok: (v: number) => boolean) =>
    value === undefined
      ? notRun(name, goal, 'not measured')
      : { name, goal, measured: `${fixed(value, 0)} MiB`, met: ok(value) };
  const idle = report.rssIdle;
  const workers = Math.max(1, report.settings.workers);
  checks.push(
    idle
      ? {
          name: 'stack RSS, idle',
          goal: '≤ 350 MiB (workers ≤ 80 each, supervisor ≤ 50)',
          measured: `${fixed(idle.total, 0)} MiB (workers ${fixed(idle.workers / workers, 0)} each, supervisor ${fixed(idle.supervisor, 0)})`,
          met: idle.total <= 350 && idle.workers / workers <= 80 && idle.supervisor <= 50,
        }
      : notRun('stack RSS, idle', '≤ 350 MiB', 'not measured'),
  );
  checks.push(mib('stack RSS, under load (peak)', '≤ 450 MiB', report.rssLoadPeak?.total, (v) => v <= 450));
  checks.push(
    report.upToHealthySeconds === null
      ? notRun('up → healthy (initialised)', '≤ 3 s', 'not measured')
      : {
          name: 'up → healthy (initialised)',
          goal: '≤ 3 s',
          measured: `${fixed(report.upToHealthySeconds, 1)} s`,
          met: report.upToHealthySeconds <= 3,
        },
  );
  return checks;
}

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export function renderMarkdown(report: BenchReport): string {
  const by = new Map(report.scenarios.map((s) => [s.name, s]));
  const ceiling = by.get('ref-static')?.requestsPerSecond;
  const fastify = by.get('ref-fastify')?.requestsPerSecond;
  const x = (v: number, base: number | undefined) => (base ? `${fixed(v / base)}×` : '-');
  const s = report.settings;
  const rows = report.scenarios.map((r) => [
    r.title +
      (r.preflightStatus === r.expected ? '' : ` (got ${r.preflightStatus}, want ${r.expected})`) +
      (healthy(r) ? '' : ' ⚠'),
    fixed(r.requestsPerSecond, 0),
    x(r.requestsPerSecond, ceiling),
    x(r.requestsPerSecond, fastify),
    fixed(r.p50Ms),
    fixed(r.p99Ms),
    r.statusAfter === undefined ? String(r.non2xx) : `${r.non2xx} (${r.statusAfter})`,
    String(r.socketErrors),
    fixed(r.rssPeak.total, 0),
    r.target === 'stack'
      ? [r.cpuCores.nginx, r.cpuCores.mariadb, r.cpuCores.supervisor, r.cpuCores.workers]
          .map((n) => fixed(n, 2))
          .join(' / ')
      : '-',
  ]);
  const rss = (label: string, v: RssSample | null) =>
    v ? [label, ...[v.nginx, v.mariadb, v.supervisor, v.workers, v.total].map((n) => fixed(n, 1))] : [];
  const mark = (met: boolean | null) => (met === null ? '–' : met ? 'met' : 'MISSED');
  return [
    `# webstack bench (${report.mode}${report.attached ? ', running stack' : ''}) — ${report.startedAt}`,
    '',
    `wrk -t${s.threads} -c${s.connections} -d${s.durationSeconds}s; ${s.articles} articles, ` +
      `${s.products} products; ${s.workers} app workers; load average ${fixed(s.loadAverage)} ` +
      `before the load; whole run ${fixed(report.totalSeconds, 0)} s.`,
    '',
    table(
      [
        'scenario',
        'req/s',
        '× ceiling',
        '× Fastify',
        'p50 ms',
        'p99 ms',
        'non-2xx',
        'socket err',
        'RSS MiB',
        'cores: nginx / db / supervisor / workers',
      ],
      rows,
    ),
    '',
    '## Targets (issue 17)',
    '',
    table(
      ['what', 'target', 'measured', ''],
      report.targets.map((t) => [t.name, t.goal, t.measured, mark(t.met)]),
    ),
    '',
    '## Memory (RSS, and PSS, MiB)',
    '',
    table(
      ['', 'nginx', 'mariadb', 'supervisor', 'workers', 'total'],
      [
        rss('idle', report.rssIdle),
        rss('idle, PSS', report.pssIdle ?? null),
        rss('under load (peak)', report.rssLoadPeak),
      ].filter((r) => r.length > 0),
    ),
    ...(report.upPhases.length > 0
      ? [
          '',
          `## webstack up → healthy: ${fixed(report.upToHealthySeconds ?? Number.NaN, 1)} s`,
          '',
          table(
            ['phase (supervisor log)', 's'],
            report.upPhases.map((p) => [p.phase, fixed(p.seconds)]),
          ),
        ]
      : []),
    '',
  ].join('\n');
}

/** The change against an earlier run, scenario by scenario. */
export function renderComparison(before: BenchReport, now: BenchReport): string {
  const old = new Map(before.scenarios.map((s) => [s.name, s]));
  const pct = (a: number, b: number) =>
    a === 0 ? '-' : `${b >= a ? '+' : ''}${fixed(((b - a) / a) * 100, 1)}%`;
  const rows = now.scenarios.flatMap((s) => {
    const o = old.get(s.name);
    if (!o) return [];
    return [
      [
        s.title,
        `${fixed(o.requestsPerSecond, 0)} → ${fixed(s.requestsPerSecond, 0)}`,
        pct(o.requestsPerSecond, s.requestsPerSecond),
        `${fixed(o.p99Ms)} → ${fixed(s.p99Ms)}`,
        pct(o.p99Ms, s.p99Ms),
      ],
    ];
  });
  return [
    `## Compared with the run of ${before.startedAt}`,
    '',
    table(['scenario', 'req/s', 'Δ req/s', 'p99 ms', 'Δ p99'], rows),
    '',
  ].join('\n');
}
