import Type, { type Static } from 'typebox';

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

/**
 * The bodies the control socket accepts, one schema per route. The server checks each body
 * against its schema before a handler sees it, so a handler never casts.
 */
export const DeployRequestSchema = Type.Object(
  {
    dir: Type.String({ minLength: 2, pattern: '^/' }),
    build: Type.Boolean(),
    by: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);
export type DeployRequest = Static<typeof DeployRequestSchema>;

export const RollbackRequestSchema = Type.Object(
  { by: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);
export type RollbackRequest = Static<typeof RollbackRequestSchema>;

/** A route that takes no input: no body, or an empty object. */
export const NoBodySchema = Type.Union([Type.Undefined(), Type.Object({}, { additionalProperties: false })]);
