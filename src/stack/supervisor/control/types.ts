import Type, { type Static } from 'typebox';
import type { CertificateStatus } from '../../components/tls/renewal.js';

/** What the supervisor reports: shared by the daemon and the CLI. */
export type ComponentName = 'mariadb' | 'haproxy' | 'appserver' | 'nginx' | 'keepalived';

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
  /** The certificate from ACME and the last attempt, when https.acme is set. */
  tls?: CertificateStatus;
  /** On one of two lb hosts: the floating address, and whether this host holds it now. */
  vip?: { address: string; held: boolean };
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

/** A release id, as `releaseId()` makes them: 20261129-142501-3f2a1b9c. */
const ReleaseId = Type.String({ pattern: '^[0-9]{8}-[0-9]{6}(-[A-Za-z0-9]+)*$', maxLength: 64 });

/** Across hosts: switch this host to a release the operator shipped. */
export const SwitchRequestSchema = Type.Object(
  { release: ReleaseId, by: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);

/** Across hosts: migrate the database to a shipped release's schema (once, on one app host). */
export const MigrateRequestSchema = Type.Object({ release: ReleaseId }, { additionalProperties: false });

/** On an lb: the app hosts (by name) out of the rotation; every other one is put back. */
export const DrainRequestSchema = Type.Object(
  { hosts: Type.Array(Type.String({ pattern: '^[a-z][a-z0-9-]{0,62}$' }), { maxItems: 64 }) },
  { additionalProperties: false },
);

/** `webstack tls renew`: renew now if due, or always with force. */
export const TlsRenewRequestSchema = Type.Object({ force: Type.Boolean() }, { additionalProperties: false });

/** On a Galera node: start a new primary component here (`up` after a whole-cluster stop, `db bootstrap`). */
export const GaleraBootstrapRequestSchema = Type.Object(
  { force: Type.Boolean() },
  { additionalProperties: false },
);

/** On a Galera node: the planned restart of a rolling one, after HAProxy has been turned away for DRAINMS. */
export const GaleraRestartRequestSchema = Type.Object(
  { drainMs: Type.Integer({ minimum: 0, maximum: 60_000 }) },
  { additionalProperties: false },
);
