/** What the supervisor reports: shared by the daemon and the CLI. */
export type ComponentName = 'mariadb' | 'appserver' | 'nginx';

export interface ComponentStatus {
  name: ComponentName;
  state: 'starting' | 'running' | 'restarting' | 'stopped' | 'failed' | 'external';
  pid: number | null;
  healthy: boolean;
  version: string | null;
  uptimeSeconds: number | null;
  restarts: number;
  detail: string | null;
}

export interface StackStatus {
  url: string;
  release: string | null;
  supervisor: { pid: number; uptimeSeconds: number; ready: boolean };
  components: ComponentStatus[];
}
