/** What each scenario requests, as data. Pure. */

export type PathList = 'articles' | 'apiArticles' | 'refArticles' | 'zipfArticles';

export interface Scenario {
  name: string;
  title: string;
  /** Load goes through the stack's Nginx, or through the reference Nginx. */
  target: 'stack' | 'reference';
  method: 'GET' | 'POST';
  /** A fixed path, or a list that each request picks from at random. */
  path: string | PathList;
  body?: 'login' | 'article';
  /** Whose session cookie the requests carry (the editor's also sends its CSRF token). */
  as?: 'member' | 'editor';
  /** Status every request should get; checked once before the load. */
  expect: number;
  /** Logins at this rate run beside the load (home-under-logins). */
  backgroundLoginsPerSecond?: number;
}

export interface ScenarioPaths {
  asset: string;
  /** The same asset's copy on the reference Nginx. */
  refAsset: string;
  staticPage: string;
  nodeHttp: string;
}

/**
 * The run order: each reference right after the scenario it is the yardstick for, and the
 * scenarios that leave work behind (argon2 hashes queued, rows written) last.
 */
export const RUN_ORDER = [
  'static',
  'ref-asset',
  'ref-static',
  'home',
  'article',
  'article-zipf',
  'ref-fastify',
  'ref-node-http',
  'products',
  'api-article',
  'member-article',
  'home-under-logins',
  'login',
  'create-article',
] as const;

export function allScenarios(p: ScenarioPaths): Scenario[] {
  const get = { method: 'GET', expect: 200 } as const;
  const list: Scenario[] = [
    { name: 'static', title: 'static asset (CSS)', target: 'stack', ...get, path: p.asset },
    { name: 'home', title: 'home page', target: 'stack', ...get, path: '/' },
    { name: 'article', title: 'article page (random)', target: 'stack', ...get, path: 'articles' },
    {
      name: 'article-zipf',
      title: 'article page (Zipf-like, s = 1)',
      target: 'stack',
      ...get,
      path: 'zipfArticles',
    },
    { name: 'products', title: 'products list', target: 'stack', ...get, path: '/products' },
    { name: 'api-article', title: 'API article (random)', target: 'stack', ...get, path: 'apiArticles' },
    {
      name: 'member-article',
      title: 'article page, logged-in member',
      target: 'stack',
      ...get,
      path: 'articles',
      as: 'member',
    },
    {
      name: 'login',
      title: 'login (API, argon2id)',
      target: 'stack',
      method: 'POST',
      path: '/api/v1/session',
      body: 'login',
      expect: 200,
    },
    {
      name: 'create-article',
      title: 'create article (API, editor)',
      target: 'stack',
      method: 'POST',
      path: '/api/v1/articles',
      body: 'article',
      as: 'editor',
      expect: 201,
    },
    {
      name: 'home-under-logins',
      title: 'home page, 20 logins/s beside',
      target: 'stack',
      ...get,
      path: '/',
      backgroundLoginsPerSecond: 20,
    },
    {
      name: 'ref-asset',
      title: 'ref: nginx static copy of the asset',
      target: 'reference',
      ...get,
      path: p.refAsset,
    },
    { name: 'ref-static', title: 'ref: nginx static copy', target: 'reference', ...get, path: p.staticPage },
    { name: 'ref-node-http', title: 'ref: bare node:http', target: 'reference', ...get, path: p.nodeHttp },
    {
      name: 'ref-fastify',
      title: 'ref: bare Fastify + mysql2',
      target: 'reference',
      ...get,
      path: 'refArticles',
    },
  ];
  const rank = (s: Scenario) => RUN_ORDER.indexOf(s.name as (typeof RUN_ORDER)[number]);
  return list.sort((a, b) => rank(a) - rank(b));
}

/**
 * Paths drawn Zipf-like (s = 1) when wrk picks lines uniformly: the k-th most read appears about
 * `lines / (k · H)` times, so the first article is read about twice as often as the second. Pure.
 */
export function zipfPaths(paths: readonly string[], lines = 100_000): string[] {
  const harmonic = paths.reduce((sum, _, k) => sum + 1 / (k + 1), 0);
  return paths.flatMap((path, k) => Array(Math.max(1, Math.round(lines / ((k + 1) * harmonic)))).fill(path));
}

/** Keeps the named scenarios (in the canonical order); throws on an unknown name. */
export function selectScenarios(all: readonly Scenario[], names: readonly string[] | undefined): Scenario[] {
  if (!names || names.length === 0) return [...all];
  const known = new Set(all.map((s) => s.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0)
    throw new Error(`unknown scenario ${unknown.join(', ')}; choose from ${[...known].join(', ')}`);
  return all.filter((s) => names.includes(s.name));
}
