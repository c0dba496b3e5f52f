/**
 * An offline grader implementing the MDN HTTP Observatory's published scoring
 * (mozilla/http-observatory httpobs/docs/scoring.md, as carried into mdn/mdn-http-observatory):
 * start at 100, add each test's modifier; bonuses count only when the score without them is ≥ 90.
 * Tests graded here: CSP, cookies, Referrer-Policy, X-Content-Type-Options, X-Frame-Options,
 * Cross-Origin-Resource-Policy, HSTS and redirection. (SRI: the site loads no scripts → 0; CORS: no
 * Access-Control-Allow-Origin → 0; both are left out as they cannot move the score.)
 *
 * `httpsOnly` marks the penalties a site served over plain HTTP cannot avoid: HSTS is ignored on
 * HTTP, there is no HTTPS to redirect to, and a Secure cookie cannot be set over HTTP.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface Modifier {
  test: string;
  result: string;
  modifier: number;
  httpsOnly: boolean;
}

export interface Grade {
  score: number;
  /** The score counting no HTTPS-only penalty: what the same headers earn once served over HTTPS. */
  scoreWithoutHttpsOnly: number;
  modifiers: Modifier[];
}

export interface GradeInput {
  /** The final response of the front page. */
  headers: IncomingHttpHeaders;
  /** Every Set-Cookie seen while browsing (login included). */
  setCookies: string[];
  https: boolean;
  /** The answer to http://host/ redirects to https://host/. */
  redirectsToHttps: boolean;
}

const SIX_MONTHS = 15_552_000;
const PRIVATE_REFERRERS = ['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin'];
const UNSAFE_REFERRERS = ['origin', 'origin-when-cross-origin', 'unsafe-url'];
const SESSION_NAME = /sess|sid|login|token|auth/i;

export function grade(input: GradeInput): Grade {
  const modifiers = [
    csp(input.headers),
    cookies(input),
    referrer(input.headers),
    contentTypeOptions(input.headers),
    frameOptions(input.headers),
    resourcePolicy(input.headers),
    hsts(input),
    redirection(input),
  ];
  return {
    score: total(modifiers),
    scoreWithoutHttpsOnly: total(modifiers.filter((m) => !m.httpsOnly)),
    modifiers,
  };
}

function total(modifiers: Modifier[]): number {
  const base = 100 + modifiers.reduce((sum, m) => sum + Math.min(0, m.modifier), 0);
  const bonus = base >= 90 ? modifiers.reduce((sum, m) => sum + Math.max(0, m.modifier), 0) : 0;
  return Math.max(0, base + bonus);
}

function one(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function m(test: string, result: string, modifier: number, httpsOnly = false): Modifier {
  return { test, result, modifier, httpsOnly };
}

export function parseCsp(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name && !directives.has(name.toLowerCase())) directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

function csp(headers: IncomingHttpHeaders): Modifier {
  const policy = one(headers, 'content-security-policy');
  if (!policy) return m('content-security-policy', 'csp-not-implemented', -25);
  const d = parseCsp(policy);
  const scripts = d.get('script-src') ?? d.get('default-src') ?? ['*'];
  const styles = d.get('style-src') ?? d.get('default-src') ?? ['*'];
  const insecure = (sources: string[]) =>
    sources.some((s) => ['*', 'http:', 'data:'].includes(s) || s.startsWith('http://'));
  if (scripts.includes("'unsafe-inline'"))
    return m('content-security-policy', 'csp-implemented-with-unsafe-inline', -20);
  if (insecure(scripts)) return m('content-security-policy', 'csp-implemented-with-insecure-scheme', -20);
  if (scripts.includes("'unsafe-eval'"))
    return m('content-security-policy', 'csp-implemented-with-unsafe-eval', -10);
  if (insecure(styles) || (d.get('img-src') ?? []).some((s) => s === 'http:' || s.startsWith('http://')))
    return m('content-security-policy', 'csp-implemented-with-insecure-scheme-in-passive-content-only', -10);
  if (styles.includes("'unsafe-inline'"))
    return m('content-security-policy', 'csp-implemented-with-unsafe-inline-in-style-src-only', 0);
  if (d.get('default-src')?.join(' ') === "'none'")
    return m('content-security-policy', 'csp-implemented-with-no-unsafe-default-src-none', 10);
  return m('content-security-policy', 'csp-implemented-with-no-unsafe', 5);
}

interface Cookie {
  name: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite: string | undefined;
}

export function parseSetCookie(line: string): Cookie {
  const [pair = '', ...attributes] = line.split(';').map((s) => s.trim());
  const attr = new Map(
    attributes.map((a) => {
      const [k = '', v = ''] = a.split('=');
      return [k.toLowerCase(), v] as const;
    }),
  );
  return {
    name: pair.split('=')[0] ?? '',
    secure: attr.has('secure'),
    httpOnly: attr.has('httponly'),
    sameSite: attr.has('samesite') ? attr.get('samesite')?.toLowerCase() : undefined,
  };
}

function cookies(input: GradeInput): Modifier {
  const all = input.setCookies.map(parseSetCookie);
  if (all.length === 0) return m('cookies', 'cookies-not-found', 0);
  const session = all.filter((c) => SESSION_NAME.test(c.name));
  if (all.some((c) => c.sameSite !== undefined && !['strict', 'lax', 'none'].includes(c.sameSite)))
    return m('cookies', 'cookies-samesite-flag-invalid', -20);
  if (session.some((c) => !c.httpOnly)) return m('cookies', 'cookies-session-without-httponly-flag', -30);
  if (all.some((c) => /csrf|xsrf/i.test(c.name) && c.sameSite === undefined))
    return m('cookies', 'cookies-anticsrf-without-samesite-flag', -20);
  // Over plain HTTP a cookie cannot usefully be Secure: these two are the HTTPS-only penalties.
  if (session.some((c) => !c.secure))
    return m('cookies', 'cookies-session-without-secure-flag', -40, !input.https);
  if (all.some((c) => !c.secure)) return m('cookies', 'cookies-without-secure-flag', -20, !input.https);
  if (all.every((c) => c.sameSite !== undefined))
    return m('cookies', 'cookies-secure-with-httponly-sessions-and-samesite', 5);
  return m('cookies', 'cookies-secure-with-httponly-sessions', 0);
}

function referrer(headers: IncomingHttpHeaders): Modifier {
  const value = one(headers, 'referrer-policy');
  if (!value) return m('referrer-policy', 'referrer-policy-not-implemented', 0);
  // The browser uses the last value it understands.
  const last =
    value
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .at(-1) ?? '';
  if (PRIVATE_REFERRERS.includes(last)) return m('referrer-policy', 'referrer-policy-private', 5);
  if (last === 'no-referrer-when-downgrade')
    return m('referrer-policy', 'referrer-policy-no-referrer-when-downgrade', 0);
  if (UNSAFE_REFERRERS.includes(last)) return m('referrer-policy', 'referrer-policy-unsafe', -5);
  return m('referrer-policy', 'referrer-policy-header-invalid', -5);
}

function contentTypeOptions(headers: IncomingHttpHeaders): Modifier {
  const value = one(headers, 'x-content-type-options');
  if (!value) return m('x-content-type-options', 'x-content-type-options-not-implemented', -5);
  if (value.trim().toLowerCase() === 'nosniff')
    return m('x-content-type-options', 'x-content-type-options-nosniff', 0);
  return m('x-content-type-options', 'x-content-type-options-header-invalid', -5);
}

function frameOptions(headers: IncomingHttpHeaders): Modifier {
  const policy = one(headers, 'content-security-policy');
  if (policy && parseCsp(policy).has('frame-ancestors'))
    return m('x-frame-options', 'xfo-implemented-via-csp', 5);
  const value = one(headers, 'x-frame-options')?.trim().toLowerCase();
  if (!value) return m('x-frame-options', 'xfo-not-implemented', -20);
  if (value === 'deny' || value === 'sameorigin') return m('x-frame-options', 'xfo-sameorigin-or-deny', 0);
  return m('x-frame-options', 'xfo-header-invalid', -20);
}

function resourcePolicy(headers: IncomingHttpHeaders): Modifier {
  const value = one(headers, 'cross-origin-resource-policy')?.trim().toLowerCase();
  if (!value) return m('cross-origin-resource-policy', 'corp-not-implemented', 0);
  if (['same-origin', 'same-site', 'cross-origin'].includes(value))
    return m('cross-origin-resource-policy', `corp-implemented-with-${value}`, 0);
  return m('cross-origin-resource-policy', 'corp-header-invalid', -5);
}

function hsts(input: GradeInput): Modifier {
  if (!input.https) return m('strict-transport-security', 'hsts-not-implemented-no-https', -20, true);
  const value = one(input.headers, 'strict-transport-security');
  if (!value) return m('strict-transport-security', 'hsts-not-implemented', -20);
  const maxAge = /max-age=(\d+)/i.exec(value)?.[1];
  if (maxAge === undefined) return m('strict-transport-security', 'hsts-header-invalid', -20);
  if (Number(maxAge) < SIX_MONTHS)
    return m('strict-transport-security', 'hsts-implemented-max-age-less-than-six-months', -10);
  return m('strict-transport-security', 'hsts-implemented-max-age-at-least-six-months', 0);
}

function redirection(input: GradeInput): Modifier {
  if (input.redirectsToHttps) return m('redirection', 'redirection-to-https', 0);
  return m('redirection', 'redirection-missing', -20, true);
}
