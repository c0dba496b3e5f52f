import { type Check, ok } from '../../../doctor/check.js';
import { adminConnection } from '../admin.js';
import { mariadbHealth } from '../health.js';

export const databaseCheck: Check = {
  title: 'database',
  on: ['mariadb'],
  async run(config, { running }) {
    const health = await mariadbHealth(adminConnection(config));
    if (health.ok) return ok(`MariaDB ${health.version} answers, up ${health.uptimeSeconds}s`);
    return {
      severity: running || config.database.mode === 'external' ? 'critical' : 'warning',
      detail: `no answer: ${health.error}`,
      fix: running ? 'see `webstack logs mariadb`' : 'run `webstack up`',
    };
  },
};
