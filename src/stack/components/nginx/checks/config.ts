import { existsSync } from 'node:fs';
import { statePaths } from '../../../core/paths.js';
import { type Check, ok } from '../../../doctor/check.js';
import { testNginxConfig } from '../process.js';

export const nginxConfigCheck: Check = {
  title: 'nginx -t',
  on: ['nginx'],
  async run(config) {
    const paths = statePaths(config.stateDir);
    if (!existsSync(paths.nginx.config))
      return { severity: 'warning', detail: 'no config written yet', fix: 'run `webstack up`' };
    await testNginxConfig(paths.nginx.config, paths.nginx.prefix);
    return ok('the configuration is valid');
  },
};
