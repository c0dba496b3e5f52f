import { join } from 'node:path';

/** Where everything lives under the state directory. One place, so no path is spelled twice. */
export function statePaths(stateDir: string) {
  const run = join(stateDir, 'run');
  const logs = join(stateDir, 'logs');
  return {
    root: stateDir,
    secrets: join(stateDir, 'secrets.json'),
    releases: join(stateDir, 'releases'),
    /** Symlink to the active release. */
    current: join(stateDir, 'current'),
    uploads: join(stateDir, 'uploads'),
    backups: join(stateDir, 'backups'),
    /** Every release's hashed assets side by side, so pages of old and new workers both find theirs. */
    publicAssets: join(stateDir, 'public', 'assets'),
    /** One JSON line per deploy or rollback: who, when, which release, the result. */
    deploys: join(stateDir, 'deploys.jsonl'),
    deployLock: join(run, 'deploy.lock'),
    run,
    logs,
    control: join(run, 'webstack.sock'),
    supervisorPid: join(run, 'webstack.pid'),
    /** The supervisor's StatusSnapshot (JSON), read by the site's admin page and doctor. */
    statusSnapshot: join(run, 'status.json'),
    /** The URL of the loopback metrics endpoint (its port may be chosen at start). */
    metricsUrl: join(run, 'metrics.url'),
    /** The bearer token the metrics endpoint requires (0600; Prometheus: `authorization: credentials_file`). */
    metricsToken: join(stateDir, 'metrics.token'),
    mariadb: {
      data: join(stateDir, 'mariadb', 'data'),
      config: join(stateDir, 'mariadb', 'my.cnf'),
      // A directory of its own: it belongs to the mysql account, the rest of run/ stays root's.
      socket: join(run, 'mariadb', 'mariadb.sock'),
      pid: join(run, 'mariadb', 'mariadb.pid'),
      log: join(logs, 'mariadb.log'),
    },
    nginx: {
      prefix: join(stateDir, 'nginx'),
      config: join(stateDir, 'nginx', 'nginx.conf'),
      pid: join(run, 'nginx.pid'),
      accessLog: join(logs, 'nginx-access.log'),
      errorLog: join(logs, 'nginx-error.log'),
      errorPages: join(stateDir, 'nginx', 'errors'),
    },
    dns: {
      zone: (domain: string) => join(stateDir, 'dns', `db.${domain}`),
    },
    /** The nft script of webstack's own table (0600), as last applied. */
    firewall: join(stateDir, 'firewall', 'webstack.nft'),
    /** The cluster's CA (key 0600) and the certificates it issued, e.g. MariaDB's. */
    tls: {
      ca: join(stateDir, 'tls', 'ca'),
      certificates: join(stateDir, 'tls', 'certificates'),
      /** On a host of a cluster: the CA's certificate (what the app hosts trust for MariaDB)… */
      caCertificate: join(stateDir, 'tls', 'cluster', 'ca.crt'),
      /** …and, on a db host, MariaDB's certificate and key (the key 0600, the mysql account's). */
      serverCertificate: join(stateDir, 'tls', 'cluster', 'server.crt'),
      serverKey: join(stateDir, 'tls', 'cluster', 'server.key'),
      /** ACME: the account key (0600), the live pair (key 0600), the challenge webroot and the last attempt. */
      acme: {
        accountKey: join(stateDir, 'tls', 'acme', 'account', 'account.key'),
        certificate: join(stateDir, 'tls', 'acme', 'live', 'fullchain.pem'),
        key: join(stateDir, 'tls', 'acme', 'live', 'privkey.pem'),
        webroot: join(stateDir, 'tls', 'acme', 'webroot'),
        state: join(stateDir, 'tls', 'acme', 'state.json'),
      },
    },
    app: {
      log: join(logs, 'app.log'),
    },
    supervisorLog: join(logs, 'webstack.log'),
  } as const;
}

export type StatePaths = ReturnType<typeof statePaths>;
