import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderSystemdUnit } from '../components/systemd/unit.js';
import type { ResolvedConfig } from '../core/config/load.js';
import { WebstackError } from '../core/errors.js';
import { run, writeFileAtomic } from '../host/local.js';

const checkout = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const UNIT_PATH = '/etc/systemd/system/webstack.service';
/** The distribution's own services would take ports 80 and 3306 at boot, before webstack. */
const DISTRO_UNITS = ['nginx.service', 'mariadb.service'];

export async function installServiceVerb(
  config: ResolvedConfig,
  options: { output?: string },
): Promise<number> {
  const unitPath = resolve(options.output ?? UNIT_PATH);
  if (options.output === undefined && process.getuid?.() !== 0) {
    throw new WebstackError('NOT_ROOT', UNIT_PATH);
  }
  const unit = renderSystemdUnit({
    node: process.execPath,
    webstack: join(checkout, 'bin', 'webstack'),
    configFile: config.file,
    workingDirectory: checkout,
    description: `webstack: ${config.siteHost} (Nginx, Node.js application server, MariaDB)`,
  });
  await writeFileAtomic(unitPath, unit, 0o644);
  console.log(`wrote ${unitPath}`);
  if (existsSync('/usr/bin/systemd-analyze')) {
    const verify = await run(['systemd-analyze', 'verify', unitPath], { okCodes: [0, 1] });
    const problems = (verify.stderr + verify.stdout).split('\n').filter((line) => line.includes(unitPath));
    if (verify.code !== 0 || problems.length > 0) {
      throw new WebstackError('UNIT_INVALID', problems.join(' | ') || verify.stderr.trim());
    }
    console.log('systemd-analyze verify: ok');
  }
  const systemdRunning = existsSync('/run/systemd/system');
  if (options.output === undefined && systemdRunning) {
    await run(['systemctl', 'daemon-reload']);
    await run(['systemctl', 'disable', ...DISTRO_UNITS], { okCodes: [0, 1] });
    await run(['systemctl', 'enable', 'webstack.service']);
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
