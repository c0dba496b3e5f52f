import type { ResolvedConfig } from '../core/config/load.js';
import { statePaths } from '../core/paths.js';
import { localHost } from '../host/index.js';
import { waitForExit } from '../host/pid.js';
import { callSupervisor, supervisorRunning } from '../supervisor/control/client.js';

export async function downVerb(config: ResolvedConfig): Promise<number> {
  const paths = statePaths(config.stateDir);
  if (!(await supervisorRunning(paths.control))) {
    console.log('webstack is already down');
    return 0;
  }
  const { pid } = await callSupervisor<{ pid: number }>(paths.control, 'POST', '/stop', {}, 30_000);
  console.log('stopping nginx, the application server and the database, in that order');
  await waitForExit(localHost, pid, 180_000);
  console.log('webstack is down');
  return 0;
}
