/**
 * The black-box scanners from Debian's packages (sqlmap, wapiti, testssl): pure argv builders and
 * pure parsers of their reports. The scanners exit 0 whatever they find, so the verdict is read here.
 */

export type Argv = readonly string[];

/** wapiti 3.0.4 module names (`wapiti --list-modules`); brute_login_form, nikto, buster: not attacks on our code. */
export const WAPITI_MODULES = [
  'sql',
  'blindsql',
  'xss',
  'permanentxss',
  'exec',
  'file',
  'redirect',
  'crlf',
  'csrf',
  'cookieflags',
  'http_headers',
  'csp',
  'methods',
  'backup',
] as const;

/**
 * Runs argv in a private mount namespace where `hostsFile` is bind-mounted over /etc/hosts, so the
 * scanner resolves www.foobar.com to loopback while the machine's /etc/hosts is never touched. The
 * shell script is a constant; the hosts file and the command reach it as positional arguments.
 */
export function inHostsNamespace(hostsFile: string, argv: Argv): Argv {
  return [
    'unshare',
    '--mount',
    '--propagation',
    'private',
    '--',
    'sh',
    '-c',
    'mount --bind "$0" /etc/hosts && exec "$@"',
    hostsFile,
    ...argv,
  ];
}

export function hostsFileText(names: readonly string[]): string {
  return `127.0.0.1 localhost ${names.join(' ')}\n`;
}

interface SqlmapCommon {
  outputDir: string;
  cookie?: string;
}

function sqlmapCommon(options: SqlmapCommon): string[] {
  const argv = ['sqlmap', '--batch', '--level', '1', '--risk', '1', '--disable-coloring', '--timeout', '10'];
  argv.push('--retries', '1', '--output-dir', options.outputDir);
  if (options.cookie) argv.push('--cookie', options.cookie);
  return argv;
}

/** Crawls the site two links deep and tests every form it finds (each form's _csrf token refreshed). */
export function sqlmapCrawlArgv(options: SqlmapCommon & { baseUrl: string }): Argv {
  return [
    ...sqlmapCommon(options),
    '-u',
    options.baseUrl,
    '--crawl=2',
    '--forms',
    '--csrf-token=_csrf',
    // Logging out (a link or the layout's form) would end the authenticated session the crawl runs in.
    '--crawl-exclude=logout',
    '--scope=^(?!.*logout)',
  ];
}

/** The forms on the pages listed in urlsFile (one URL a line); the logout form is left alone. */
export function sqlmapFormsArgv(options: SqlmapCommon & { urlsFile: string }): Argv {
  return [
    ...sqlmapCommon(options),
    '-m',
    options.urlsFile,
    '--forms',
    '--csrf-token=_csrf',
    '--scope=^(?!.*logout)',
  ];
}

/** The login form: email and password, the CSRF token fetched fresh from the form page each time. */
export function sqlmapLoginArgv(options: SqlmapCommon & { baseUrl: string }): Argv {
  return [
    ...sqlmapCommon(options),
    '-u',
    `${options.baseUrl}login`,
    '--data',
    'email=scan%40example.com&password=not-the-password&_csrf=x',
    '-p',
    'email,password',
    '--csrf-token=_csrf',
    `--csrf-url=${options.baseUrl}login`,
    // A wrong password answers 401 (then 429 once the site's login limit is hit): still a page to compare.
    '--ignore-code=401',
  ];
}

/** The JSON API's list: its paging parameters. */
export function sqlmapApiArgv(options: SqlmapCommon & { baseUrl: string }): Argv {
  return [
    ...sqlmapCommon(options),
    '-u',
    `${options.baseUrl}api/v1/articles?limit=5&cursor=abc`,
    '-p',
    'limit,cursor',
  ];
}

export function wapitiArgv(options: {
  baseUrl: string;
  report: string;
  sessionDir: string;
  maxScanSeconds: number;
  cookie?: string;
}): Argv {
  const argv = ['wapiti', '-u', options.baseUrl, '--scope', 'folder', '-m', WAPITI_MODULES.join(',')];
  argv.push('--flush-session', '--store-session', options.sessionDir, '--store-config', options.sessionDir);
  argv.push(
    '--max-scan-time',
    String(options.maxScanSeconds),
    '--max-attack-time',
    String(Math.ceil(options.maxScanSeconds / 6)),
  );
  // No `-x URL`: wapiti 3.0.4's exclusion regex crashes on Python 3.11 (inline flags not at start).
  argv.push('-t', '10', '--verify-ssl', '0', '--no-bugreport', '-v', '1');
  argv.push('-f', 'json', '-o', options.report);
  if (options.cookie) argv.push('-H', `Cookie: ${options.cookie}`);
  return argv;
}

/**
 * Every section of testssl's default run that rates what it finds: protocols, cipher categories,
 * forward secrecy, the server's preferences and defaults (certificate), headers and the
 * vulnerabilities. Left out: the client simulation (-c), which only shows which browsers could
 * connect, and the list of each cipher (-e), whose every line is INFO (the categories of -s rate
 * the weak ones). Both take long on a 2-core machine: with -e the run once outlasted its 720 s
 * under the lab test beside it.
 */
const TESTSSL_SECTIONS = ['-p', '-s', '-f', '-P', '-S', '-h', '-U'] as const;

export function testsslArgv(options: { url: string; jsonFile: string; caFile: string }): Argv {
  return [
    'testssl',
    ...TESTSSL_SECTIONS,
    '--ip',
    '127.0.0.1',
    '--add-ca',
    options.caFile,
    '--jsonfile',
    options.jsonFile,
    '--quiet',
    '--color',
    '0',
    '--warnings',
    'off',
    '--openssl-timeout',
    '10',
    options.url,
  ];
}

/** sqlmap's positive verdict lines; its negatives ("does not seem to be injectable") never match. */
export function sqlmapFindings(output: string): string[] {
  // Not "appears to be ... injectable": sqlmap prints that before its false-positive check.
  const positive =
    /identified the following injection point|\bis vulnerable\b|parameter '[^']*' is '[^']*' injectable/i;
  return output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => positive.test(line) && !/\bnot\b/i.test(line));
}

export interface WapitiItem {
  category: string;
  level: number;
  method: string;
  path: string;
  info: string;
  parameter: string;
}

interface WapitiEntry {
  level?: number;
  method?: string;
  path?: string;
  info?: string;
  parameter?: string;
}

function flatten(groups: unknown): WapitiItem[] {
  if (typeof groups !== 'object' || groups === null) return [];
  return Object.entries(groups as Record<string, unknown>).flatMap(([category, entries]) =>
    Array.isArray(entries)
      ? (entries as WapitiEntry[]).map((entry) => ({
          category,
          level: entry.level ?? 0,
          method: entry.method ?? '',
          path: entry.path ?? '',
          info: entry.info ?? '',
          parameter: entry.parameter ?? '',
        }))
      : [],
  );
}

/** wapiti findings accepted, with why: the key is `category: info`. */
export const WAPITI_ACCEPTED: Readonly<Record<string, string>> = {
  'HTTP Secure Headers: X-XSS-Protection is not set':
    'deliberately absent: browsers removed the XSS auditor (its filter could be abused); OWASP and MDN advise against it, the CSP covers it',
};

/** wapiti's JSON report: `vulnerabilities` fail the scan unless accepted; `anomalies` (e.g. 500s) are reported. */
export function wapitiFindings(report: string): {
  vulnerabilities: WapitiItem[];
  accepted: WapitiItem[];
  anomalies: WapitiItem[];
} {
  const parsed = JSON.parse(report) as { vulnerabilities?: unknown; anomalies?: unknown };
  const all = flatten(parsed.vulnerabilities);
  const isAccepted = (v: WapitiItem) => Object.hasOwn(WAPITI_ACCEPTED, `${v.category}: ${v.info}`);
  return {
    vulnerabilities: all.filter((v) => !isAccepted(v)),
    accepted: all.filter(isAccepted),
    anomalies: flatten(parsed.anomalies),
  };
}

export interface TestsslItem {
  id: string;
  severity: string;
  finding: string;
}

/**
 * testssl findings that are expected for a local stack and accepted, with why. The certificate is
 * self-signed for the machine (no public CA can sign www.foobar.com on loopback); --add-ca makes
 * testssl trust it, these ids cover what remains of that.
 */
export const TESTSSL_ACCEPTED: Readonly<Record<string, string>> = {
  cert_chain_of_trust: 'self-signed local certificate; a real deploy configures https.certificate',
  cert_trust: 'self-signed local certificate; a real deploy configures https.certificate',
  cert_caIssuers: 'self-signed: there is no issuing CA to point at',
  cipher_order:
    "Mozilla's intermediate profile (ssl_prefer_server_ciphers off): every offered cipher is strong, so the client picks",
  cert_revocation: 'self-signed: no CRL/OCSP for a local certificate',
  cert_ocspURL: 'self-signed: no CRL/OCSP for a local certificate',
  cert_crlDistributionPoints: 'self-signed: no CRL/OCSP for a local certificate',
};

/** testssl's flat JSON: the HIGH and CRITICAL findings, split into accepted and failing. */
export function testsslFindings(report: string): { failing: TestsslItem[]; accepted: TestsslItem[] } {
  const items = (JSON.parse(report) as TestsslItem[]).filter((item) =>
    /^(HIGH|CRITICAL)$/.test(item.severity),
  );
  const accepted = (item: TestsslItem) => Object.hasOwn(TESTSSL_ACCEPTED, item.id.replace(/ <.*$/, ''));
  return { failing: items.filter((i) => !accepted(i)), accepted: items.filter(accepted) };
}
