import { WebstackError } from '../../core/errors.js';
import { type Host, localHost } from '../../host/index.js';
import {
  install,
  installHint,
  parseInstalled,
  queryInstalled,
  SCAN_PACKAGES,
  STACK_PACKAGES,
  TEST_PACKAGES,
  update,
} from './apt.js';

const POLICY_RC_D = '/usr/sbin/policy-rc.d';

/** (host last, defaulting to this machine: doctor calls it so.) */
export async function missingPackages(
  packages: readonly string[],
  host: Host = localHost,
): Promise<string[]> {
  // dpkg-query exits 1 when some names are unknown to it; they are simply missing.
  const { stdout } = await host.run(queryInstalled(packages), { okCodes: [0, 1] });
  const installed = parseInstalled(stdout);
  return packages.filter((name) => !installed.has(name));
}

/**
 * Installs the Debian packages that are missing. webstack runs its own Nginx, MariaDB and (in
 * tests) BIND with their own prefixes and ports, so the distribution's copies must not start
 * on install and take ports 80, 3306 and 53: a policy-rc.d that denies service starts is in
 * place for the duration of the install (Debian's documented mechanism, see invoke-rc.d(8)).
 */
export async function ensurePackages(
  host: Host,
  options: {
    withTestTools: boolean;
    /** What this host needs beyond the stack's packages (e.g. haproxy on an app host of a cluster). */
    extra?: readonly string[];
    log: (line: string) => void;
  },
): Promise<string[]> {
  const wanted = [
    ...new Set([
      ...STACK_PACKAGES,
      ...(options.withTestTools ? [...TEST_PACKAGES, ...SCAN_PACKAGES] : []),
      ...(options.extra ?? []),
    ]),
  ];
  const missing = await missingPackages(wanted, host);
  if (missing.length === 0) return [];
  if (!(await host.isRoot())) {
    throw new WebstackError('PACKAGES_MISSING', missing.join(', '), installHint(missing));
  }
  options.log(`installing ${missing.join(', ')}`);
  const ownPolicy = !(await host.exists(POLICY_RC_D));
  if (ownPolicy)
    await host.writeAtomic(
      POLICY_RC_D,
      '#!/bin/sh\n# written by webstack during apt-get install\nexit 101\n',
      {
        mode: 0o755,
      },
    );
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    await host.run(update(), { env, timeoutMs: 600_000 });
    await host.run(install(missing), { env, timeoutMs: 1_800_000 });
  } finally {
    if (ownPolicy) await host.remove(POLICY_RC_D);
  }
  return missing;
}
