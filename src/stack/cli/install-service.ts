import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as systemctl from '../components/systemd/commands.js';
import { renderSystemdUnit } from '../components/systemd/unit.js';
import type { ResolvedConfig } from '../core/config/load.js';
import { WebstackError } from '../core/errors.js';
import { statePaths } from '../core/paths.js';
import type { Owner } from '../host/host.js';
import { type Host, localHost } from '../host/index.js';

const checkout = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const UNIT_PATH = '/etc/systemd/system/webstack.service';
/** The distribution's own services would take ports 80 and 3306 at boot, before webstack. */
const DISTRO_UNITS = ['nginx.service', 'mariadb.service'];

export async function installServiceVerb(
  config: ResolvedConfig,
  options: { output?: string },
): Promise<number> {
  return await installService(localHost, config, options);
}

/** Writes (and, on a systemd host, enables) the unit on HOST. */
export async function installService(
  host: Host,
  config: ResolvedConfig,
  options: { output?: string },
): Promise<number> {
  const unitPath = resolve(options.output ?? UNIT_PATH);
  if (options.output === undefined && !(await host.isRoot())) {
    throw new WebstackError('NOT_ROOT', UNIT_PATH);
  }
  const writable = await daemonWritablePaths(host, config);
  const writablePaths = writable.map((w) => w.path);
  if (options.output === undefined) {
    // systemd refuses to start a unit whose ReadWritePaths= are missing.
    for (const { path, owner } of writable)
      if (!(await host.exists(path))) await host.mkdir(path, { mode: 0o755, ...(owner ? { owner } : {}) });
  }
  const unit = renderSystemdUnit({
    node: process.execPath,
    webstack: join(checkout, 'bin', 'webstack'),
    configFile: config.file,
    workingDirectory: checkout,
    description: `webstack: ${config.siteHost} (Nginx, Node.js application server, MariaDB)`,
    writablePaths,
    logFile: statePaths(config.stateDir).supervisorLog,
  });
  await host.writeAtomic(unitPath, unit, { mode: 0o644 });
  console.log(`wrote ${unitPath}`);
  if (await host.exists('/usr/bin/systemd-analyze')) {
    const verify = await host.run(systemctl.verifyUnit(unitPath), { okCodes: [0, 1] });
    const problems = (verify.stderr + verify.stdout).split('\n').filter((line) => line.includes(unitPath));
    if (verify.code !== 0 || problems.length > 0) {
      throw new WebstackError('UNIT_INVALID', problems.join(' | ') || verify.stderr.trim());
    }
    console.log('systemd-analyze verify: ok');
  }
  const systemdRunning = await host.exists('/run/systemd/system');
  if (options.output === undefined && systemdRunning) {
    await host.run(systemctl.daemonReload());
    await host.run(systemctl.disableUnits(DISTRO_UNITS), { okCodes: [0, 1] });
    await host.run(systemctl.enableUnits(['webstack.service']));
    console.log(
      "enabled webstack.service: the stack comes back after a reboot (the distribution's nginx and mariadb units are disabled)",
    );
  } else {
    console.log(
      'systemd is not running here: on a systemd machine run `systemctl daemon-reload && systemctl enable webstack`',
    );
  }
  return 0;
}

/**
 * What the daemon writes: the state directory; the checkout, which deploys build in; and npm's
 * cache of the accounts that run npm (root for releases' dependencies, the checkout's owner for builds).
 */
async function daemonWritablePaths(
  host: Host,
  config: ResolvedConfig,
): Promise<{ path: string; owner?: Owner }[]> {
  const accounts = parsePasswd((await host.readText('/etc/passwd')) ?? '');
  const owner = (await host.stat(checkout))?.uid ?? 0;
  const caches = [...new Set([0, owner])].flatMap((uid) => {
    const account = accounts.get(uid) ?? (uid === 0 ? { home: '/root', uid: 0, gid: 0 } : null);
    // Each npm cache belongs to the account whose npm writes it.
    return account
      ? [{ path: join(account.home, '.npm'), owner: { uid: account.uid, gid: account.gid } }]
      : [];
  });
  const paths = [{ path: resolve(config.stateDir) }, { path: checkout }, ...caches];
  return paths.filter((entry, i) => paths.findIndex((other) => other.path === entry.path) === i);
}

/** uid → home directory and primary group, from /etc/passwd. */
export function parsePasswd(passwd: string): Map<number, { home: string } & Owner> {
  const accounts = new Map<number, { home: string } & Owner>();
  for (const line of passwd.split('\n')) {
    const fields = line.split(':');
    const uid = Number(fields[2]);
    const gid = Number(fields[3]);
    const home = fields[5];
    if (fields.length >= 7 && Number.isInteger(uid) && Number.isInteger(gid) && home?.startsWith('/'))
      accounts.set(uid, { home, uid, gid });
  }
  return accounts;
}
