import mysql, { type ConnectionOptions, type RowDataPacket } from 'mysql2/promise';
import { AggregatorRegistry, Counter, Gauge, type PrometheusContentType, Registry } from 'prom-client';
import type { NginxHealth } from '../components/nginx/health.js';
import type { ComponentStatus } from '../supervisor/control/types.js';

/** MariaDB's SHOW GLOBAL STATUS variables we export, and their metric names. */
const MARIADB_STATUS: Record<string, { name: string; kind: 'counter' | 'gauge'; help: string }> = {
  Threads_connected: { name: 'webstack_mariadb_threads_connected', kind: 'gauge', help: 'Open connections' },
  Queries: { name: 'webstack_mariadb_queries_total', kind: 'counter', help: 'Statements executed' },
  Slow_queries: { name: 'webstack_mariadb_slow_queries_total', kind: 'counter', help: 'Slow statements' },
  Innodb_rows_read: { name: 'webstack_mariadb_innodb_rows_read_total', kind: 'counter', help: 'Rows read' },
  Innodb_rows_inserted: {
    name: 'webstack_mariadb_innodb_rows_inserted_total',
    kind: 'counter',
    help: 'Rows inserted',
  },
  Innodb_rows_updated: {
    name: 'webstack_mariadb_innodb_rows_updated_total',
    kind: 'counter',
    help: 'Rows updated',
  },
  Innodb_rows_deleted: {
    name: 'webstack_mariadb_innodb_rows_deleted_total',
    kind: 'counter',
    help: 'Rows deleted',
  },
};

/** SHOW GLOBAL STATUS (the variables above) and max_connections, as the administrator; null if down. */
export async function mariadbStatus(admin: ConnectionOptions): Promise<Record<string, number> | null> {
  let connection: mysql.Connection | undefined;
  try {
    connection = await mysql.createConnection(admin);
    const names = Object.keys(MARIADB_STATUS);
    const [rows] = await connection.query<RowDataPacket[]>(
      `SHOW GLOBAL STATUS WHERE Variable_name IN (${names.map(() => '?').join(',')})`,
      names,
    );
    const [max] = await connection.query<RowDataPacket[]>('SELECT @@GLOBAL.max_connections AS m');
    const result: Record<string, number> = { max_connections: Number(max[0]?.m ?? 0) };
    for (const row of rows) result[String(row.Variable_name)] = Number(row.Value);
    return result;
  } catch {
    return null;
  } finally {
    await connection?.end().catch(() => undefined);
  }
}

export interface StackReadings {
  components: ComponentStatus[];
  nginx: NginxHealth['connections'] | undefined;
  mariadb: Record<string, number> | null;
}

/** The stack's own metrics (components, nginx, MariaDB) in the Prometheus text format. */
export async function renderStackMetrics(readings: StackReadings): Promise<string> {
  const registry = new Registry();
  const labelNames = ['component'] as const;
  const up = new Gauge({
    name: 'webstack_component_up',
    help: '1 when healthy',
    labelNames,
    registers: [registry],
  });
  const restarts = new Counter({
    name: 'webstack_component_restarts_total',
    help: 'Restarts after a crash',
    labelNames,
    registers: [registry],
  });
  const uptime = new Gauge({
    name: 'webstack_component_uptime_seconds',
    help: 'Seconds since the component started',
    labelNames,
    registers: [registry],
  });
  for (const c of readings.components) {
    up.set({ component: c.name }, c.healthy ? 1 : 0);
    restarts.inc({ component: c.name }, c.restarts);
    if (c.uptimeSeconds !== null) uptime.set({ component: c.name }, c.uptimeSeconds);
  }
  const nginx = readings.nginx;
  if (nginx) {
    const connections = new Gauge({
      name: 'webstack_nginx_connections',
      help: 'Client connections by state (stub_status)',
      labelNames: ['state'],
      registers: [registry],
    });
    for (const state of ['active', 'reading', 'writing', 'waiting'] as const)
      connections.set({ state }, nginx[state]);
    new Counter({ name: 'webstack_nginx_requests_total', help: 'Requests', registers: [registry] }).inc(
      nginx.requests,
    );
  }
  const db = readings.mariadb;
  if (db) {
    for (const [variable, spec] of Object.entries(MARIADB_STATUS)) {
      const value = db[variable];
      if (value === undefined) continue;
      if (spec.kind === 'counter') new Counter({ ...spec, registers: [registry] }).inc(value);
      else new Gauge({ ...spec, registers: [registry] }).set(value);
    }
    new Gauge({
      name: 'webstack_mariadb_max_connections',
      help: 'max_connections',
      registers: [registry],
    }).set(db.max_connections ?? 0);
  }
  return await registry.metrics();
}

let aggregator: AggregatorRegistry<PrometheusContentType> | null = null;

/**
 * The workers' metrics summed by prom-client's cluster support (IPC messages typed
 * 'prom-client:*', which the AppServer's own protocol ignores). '' when no worker answers in time.
 */
export async function workerMetrics(): Promise<string> {
  aggregator ??= new AggregatorRegistry();
  try {
    return await aggregator.clusterMetrics();
  } catch {
    return '';
  }
}
