import type { StatePaths } from '../../core/paths.js';
import type { Host } from '../../host/host.js';

/** One line of deploys.jsonl. */
export interface DeployRecord {
  action: 'deploy' | 'rollback';
  by: string;
  startedAt: string;
  finishedAt: string;
  release: string | null;
  from: string | null;
  result: 'ok' | 'failed';
  reason?: string;
}

export async function recordDeploy(host: Host, paths: StatePaths, record: DeployRecord): Promise<void> {
  await host.append(paths.deploys, `${JSON.stringify(record)}\n`, { mode: 0o640 });
}

export async function readDeploys(host: Host, paths: StatePaths): Promise<DeployRecord[]> {
  const text = (await host.readText(paths.deploys)) ?? '';
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as DeployRecord);
}
