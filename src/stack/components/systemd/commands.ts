import type { Argv } from '../../host/host.js';

export function verifyUnit(path: string): Argv {
  return ['systemd-analyze', 'verify', path];
}

export function daemonReload(): Argv {
  return ['systemctl', 'daemon-reload'];
}

export function enableUnits(units: readonly string[]): Argv {
  return ['systemctl', 'enable', ...units];
}

export function disableUnits(units: readonly string[]): Argv {
  return ['systemctl', 'disable', ...units];
}
