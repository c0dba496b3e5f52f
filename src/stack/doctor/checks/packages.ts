import { STACK_PACKAGES } from '../../operations/install/apt.js';
import { missingPackages } from '../../operations/install/install.js';
import { type Check, ok } from '../check.js';

export const packagesCheck: Check = {
  title: 'Debian packages',
  async run() {
    const missing = await missingPackages(STACK_PACKAGES);
    return missing.length === 0
      ? ok('all installed')
      : {
          severity: 'critical',
          detail: `missing: ${missing.join(', ')}`,
          fix: `sudo apt-get install -y ${missing.join(' ')}`,
        };
  },
};
