import { portFree, stackPorts } from '../../core/ports.js';
import { type Check, ok } from '../check.js';

export const portsCheck: Check = {
  title: 'ports',
  async run(config, { running }) {
    if (running) return ok('the stack is running and holds its ports');
    const busy = [];
    for (const p of stackPorts(config)) {
      const { free, reason } = await portFree(p.host, p.port);
      if (!free) busy.push(`${p.host}:${p.port} (${p.name}, ${reason})`);
    }
    return busy.length === 0
      ? ok('every port the stack needs is free')
      : {
          severity: 'critical',
          detail: `not available: ${busy.join(', ')}`,
          fix: 'stop what holds them (`ss -ltnp` shows it), run as root for ports < 1024, or choose other ports in the config',
        };
  },
};
