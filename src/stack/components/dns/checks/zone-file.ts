import { existsSync } from 'node:fs';
import { statePaths } from '../../../core/paths.js';
import { type Check, ok } from '../../../doctor/check.js';
import { checkZone } from '../zone.js';

export const zoneFileCheck: Check = {
  title: 'zone file',
  on: ['nginx'],
  async run(config) {
    const file = statePaths(config.stateDir).dns.zone(config.domain);
    if (!existsSync(file))
      return {
        severity: 'warning',
        detail: 'not written yet',
        fix: 'run `webstack dns` (or `webstack up`)',
      };
    await checkZone(config.domain, file);
    return ok(`${file} accepted by named-checkzone`);
  },
};
