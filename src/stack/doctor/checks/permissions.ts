import { existsSync } from 'node:fs';
import { statePaths } from '../../core/paths.js';
import { type Check, ok } from '../check.js';

export const permissionsCheck: Check = {
  title: 'permissions',
  async run(config) {
    const needsRoot = config.http.port < 1024;
    if (needsRoot && process.getuid?.() !== 0) {
      return {
        severity: 'critical',
        detail: `port ${config.http.port} needs root`,
        fix: 'run webstack as root (sudo), or set http.port above 1023',
      };
    }
    const secrets = statePaths(config.stateDir).secrets;
    if (existsSync(secrets)) {
      const { statSync } = await import('node:fs');
      const mode = statSync(secrets).mode & 0o777;
      if (mode & 0o077)
        return {
          severity: 'critical',
          detail: `${secrets} has mode ${mode.toString(8)}`,
          fix: `chmod 600 ${secrets}`,
        };
    }
    return ok('secrets are 0600; privileges fit the ports');
  },
};
