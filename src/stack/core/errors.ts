/**
 * Every error the operator can meet is defined once, here, with a code, a one-line reason and the fix
 * (the way Fastify's lib/errors.js defines its errors). The CLI prints `error CODE: reason` and `fix: ...`.
 *
 * A `%s` in a message or fix is filled, in order, with the values given to the constructor: first the
 * message's placeholders, then the fix's. The type checks their number.
 */
export const ERRORS = {
  // The CLI and its options
  BAD_OPTION: { message: '%s', fix: '%s' },
  NOT_ROOT: {
    message: 'writing %s needs root',
    fix: 'run `sudo webstack install-service`, or pass --output FILE to write the unit elsewhere',
  },
  UNIT_INVALID: { message: 'systemd-analyze rejected the unit: %s', fix: 'report this as a bug in webstack' },
  SYSTEMD_UNIT_PATH: {
    message: 'unit file paths must be absolute and plain: %s',
    fix: 'run webstack from, and keep its config file in, a path without spaces, % or $',
  },
  LOGS_UNKNOWN_COMPONENT: { message: 'no component "%s"', fix: 'use one of: %s' },
  LOGS_BAD_STATUS: {
    message: '--status must be an HTTP status code, not "%s"',
    fix: 'pass e.g. --status 502',
  },
  LOGS_BAD_LINES: { message: '--lines must be a whole number, not "%s"', fix: 'pass e.g. --lines 100' },
  LOGS_NO_HOSTS: {
    message: '--host %s: this config names no hosts (one server holds every log)',
    fix: 'drop --host, or pass the config that names the hosts',
  },
  CLUSTER_UNKNOWN_HOST: { message: 'no host named %s in the inventory', fix: 'name one of: %s' },
  USER_ADD_FAILED: { message: '%s', fix: 'fix the value above and run the command again' },
  USER_ROLE_FAILED: { message: '%s', fix: 'check the email (`webstack user add` creates accounts)' },
  USER_LOGOUT_FAILED: { message: '%s', fix: 'check the email (`webstack user add` creates accounts)' },
  BENCH_MISSING: {
    message: 'the bench is not in this build (%s is missing)',
    fix: 'run `npm run build` in the webstack checkout, then `webstack bench`',
  },
  PERMISSION_DENIED: {
    message: '%s %s: permission denied',
    fix: 'run webstack as the user that owns the state directory (or as root)',
  },
  PATH_MISSING: {
    message: '%s %s: no such file or directory',
    fix: 'check stateDir in the webstack config; `webstack doctor` checks the paths',
  },
  DISK_FULL: { message: '%s %s: no space left on the device', fix: 'free disk space (`df -h`), then retry' },

  // Configuration
  CONFIG_INVALID: {
    message: 'config key "%s" has the value %s: %s',
    fix: 'edit the config file and set "%s" to a valid value (or remove it to use the default)',
  },
  CONFIG_MISSING: {
    message: 'config file %s does not exist',
    fix: 'pass the path of an existing file to --config',
  },
  CONFIG_UNREADABLE: {
    message: 'config file %s is not valid JSON: %s',
    fix: 'fix the JSON syntax in that file',
  },

  // Host: processes and packages
  COMMAND_MISSING: {
    message: '%s is not installed',
    fix: 'run `webstack up` (as root) to install the missing packages',
  },
  COMMAND_FAILED: {
    message: '%s exited with %s: %s',
    fix: 'see the message above; `webstack doctor` checks the usual causes',
  },
  PACKAGES_MISSING: { message: 'missing Debian packages: %s', fix: 'run `%s` (or run webstack as root)' },
  STOP_TIMEOUT: {
    message: 'process %s is still running after %ss',
    fix: 'see `webstack logs webstack`; if it hangs, kill %s',
  },
  PORT_BUSY: { message: '%s:%s for %s is not available (%s)', fix: '%s' },

  // The supervisor and its control socket
  UP_FAILED: {
    message: 'the supervisor stopped during start-up: %s',
    fix: 'fix the cause and run `webstack up` again (full log: %s)',
  },
  UP_TIMEOUT: {
    message: 'the stack did not become healthy within 10 minutes',
    fix: 'run `webstack status` and `webstack logs`',
  },
  SUPERVISOR_ALREADY_RUNNING: {
    message: 'a webstack supervisor already answers on %s',
    fix: 'run `webstack status`; `webstack down` first to start it again',
  },
  STACK_DOWN: { message: 'the stack is not running', fix: 'run `webstack up`' },
  STACK_STOPPING: {
    message: 'stopped while waiting for the database',
    fix: 'run `webstack up` once the database host is up',
  },
  SUPERVISOR_UNREACHABLE: {
    message: 'cannot reach the supervisor: %s',
    fix: 'run `webstack status`; see `webstack logs webstack`',
  },
  SUPERVISOR_PROTOCOL: { message: 'unexpected answer from the supervisor: %s', fix: 'run `webstack doctor`' },
  SUPERVISOR_ERROR: { message: '%s', fix: 'see `webstack logs webstack`' },
  NOT_FOUND: { message: 'no route %s %s', fix: 'upgrade the CLI and the running stack together' },
  BAD_REQUEST: { message: '%s', fix: 'upgrade the CLI and the stack together' },

  // The application server
  APP_NOT_RUNNING: { message: 'the application server is not running', fix: 'run `webstack up`' },
  APP_STOPPING: { message: 'the application server is stopping', fix: 'run `webstack up` again' },
  APP_START_FAILED: {
    message: 'release %s did not become ready: %s',
    fix: 'read the worker output below and `webstack logs app`; the previous release keeps serving',
  },
  RELEASE_NO_START: {
    message: '%s does not export start()',
    fix: 'build the release from a webstack checkout (`npm run build`); its entry exports start()',
  },

  // Releases, deploy and rollback
  NO_RELEASE: { message: 'no release is installed yet', fix: 'run `webstack up` first' },
  ACCOUNT_UNREADABLE: {
    message: 'the passwd entry of %s is not name:x:uid:gid:gecos:home:shell (%s)',
    fix: 'check the account with `getent passwd`',
  },
  BUILD_OWNER_UNKNOWN: {
    message: '%s belongs to uid %s, which has no account on this machine: it will not be built as root',
    fix: 'chown the checkout to an existing account (e.g. `chown -R USER: %s`), then deploy again',
  },
  RELEASE_NOT_BUILT: { message: '%s has no %s', fix: 'run `npm run build` in %s first' },
  DEPLOY_BUILD_FAILED: {
    message: '%s failed in %s; nothing was changed%s',
    fix: 'fix the build (run `npm run build` there to see it), then deploy again',
  },
  DEPLOY_LOCKED: {
    message: 'another deploy or rollback is running (pid %s)',
    fix: 'wait for it to finish (see `webstack logs webstack`), then retry',
  },
  DEPLOY_LOCK_STUCK: { message: 'cannot take %s', fix: 'make sure no deploy runs, then remove %s' },
  DEPLOY_IN_PROGRESS: { message: 'another deploy is in progress', fix: 'wait for it to finish, then retry' },
  DEPLOY_NOT_READY: {
    message: 'release %s did not become ready: %s; the old release keeps serving%s',
    fix: 'read the worker output below and `webstack logs app`; the previous release keeps serving',
  },
  NO_PREVIOUS_RELEASE: {
    message: 'there is no older release to go back to',
    fix: 'deploy a release instead',
  },
  ROLLBACK_SCHEMA: {
    message: 'release %s cannot run on the current schema: contract migration(s) %s removed what it needs',
    fix: 'deploy a fixed release forward instead, or restore the backup taken before that migration',
  },

  // Backup and restore
  BACKUP_EXTERNAL_DB: {
    message: 'backups of an external database are made by its own operator',
    fix: 'use the external server’s backup tooling, or switch database.mode to managed',
  },
  RESTORE_EXTERNAL_DB: {
    message: 'restore works on the managed database only',
    fix: 'restore with the external server’s tools',
  },
  BACKUP_MISSING: { message: '%s does not exist', fix: 'name a backup archive (see backups/)' },
  BACKUP_NO_CHECKSUM: {
    message: '%s.sha256 is missing: the archive cannot be verified',
    fix: 'copy the .sha256 file made with the backup next to the archive',
  },
  BACKUP_CORRUPT: {
    message: '%s does not match its checksum (truncated or damaged): nothing was changed',
    fix: 'restore another backup',
  },
  BACKUP_INVALID: { message: '%s: nothing was changed', fix: 'restore another backup' },

  // MariaDB
  MARIADB_NOT_READY: {
    message: 'MariaDB on %s is not ready: %s%s',
    fix: 'read %s (`webstack logs database`); `webstack doctor` checks ports and permissions',
  },
  MARIADB_VERSION: {
    message: 'cannot read the MariaDB version from: %s',
    fix: 'reinstall the mariadb-server package',
  },
  MARIADB_PATH_UNREACHABLE: {
    message: 'the %s account that runs MariaDB cannot enter %s',
    fix: 'run `chmod o+x %s` (or move stateDir under a directory others can enter)',
  },
  MARIADB_DATADIR_FOREIGN: {
    message: '%s is not empty but holds no MariaDB system tables',
    fix: 'move its files elsewhere (or point stateDir at another directory) and run `webstack up` again',
  },
  MY_CNF_PATH: {
    message: 'my.cnf path must be absolute and plain: %s',
    fix: 'keep stateDir a path without newlines, #, ;, quotes or backslashes',
  },
  DB_UNREACHABLE: {
    message: 'cannot connect to the database at %s: %s',
    fix: 'check that MariaDB runs (`webstack status`) and, for an external server, database.url',
  },
  DB_URL_INVALID: {
    message: 'database.url is not a usable MySQL URL: %s',
    fix: 'set database.url to mysql://ADMIN:PASSWORD@HOST:PORT/ (an account allowed to create databases and users)',
  },
  DB_NAME_INVALID: {
    message: 'database name %s is not allowed',
    fix: 'use 1–64 letters, digits or underscores',
  },
  DB_USER_INVALID: {
    message: 'database user %s is not allowed',
    fix: 'use 1–32 letters, digits or underscores',
  },
  DB_HOST_INVALID: {
    message: 'database host %s is not allowed',
    fix: 'use a host name, an IP address, localhost or %',
  },

  // Nginx
  NGINX_CONF_INPUT: { message: 'nginx config value %s=%s %s', fix: 'fix %s in the webstack config' },
  NGINX_CONFIG_INVALID: {
    message: 'nginx rejected the config: %s',
    fix: 'fix the value named above in the webstack config (`webstack doctor` runs the same check)',
  },
  NGINX_START_FAILED: {
    message: 'nginx did not start: %s',
    fix: 'check the port is free and `webstack logs nginx`',
  },
  NGINX_RELOAD_FAILED: {
    message: 'nginx did not take the new config (%s); the previous config is back in place',
    fix: 'fix the cause above (often a port already in use), then run the command again',
  },

  // TLS
  TLS_NO_NAMES: {
    message: 'a certificate needs at least one name',
    fix: 'set domain in the webstack config',
  },
  TLS_NAME_INVALID: {
    message: 'not a DNS name: %s',
    fix: 'set domain in the webstack config to a lower-case domain name',
  },
  TLS_ADDRESS_INVALID: {
    message: 'the certificate for %s would name %s, which is not an IP address',
    fix: 'set the address of that host in the inventory to an IPv4 or IPv6 address',
  },
  TLS_CERTIFICATE_UNREADABLE: {
    message: 'openssl cannot read the certificate %s: %s',
    fix: 'remove it (and its key); webstack issues a new one on the next `webstack up`',
  },
  HTTPS_PAIR_UNREADABLE: {
    message: 'cannot read %s (https.certificate and https.key are files on the machine that runs `up`)',
    fix: 'point https.certificate and https.key at the pair on this machine; `up` copies it to every lb host',
  },
  TLS_CA_INCOMPLETE: {
    message: 'the cluster CA in %s has %s but not %s',
    fix: 'restore the missing file from a backup; or remove the directory, run `webstack up`, and every certificate is issued again',
  },

  // ACME certificates (components/tls/acme.ts). Each leaves the certificate in use serving.
  ACME_DIRECTORY_INVALID: {
    message: 'https.acme.directory is not an http(s) URL: %s',
    fix: "set https.acme.directory to the ACME server's directory URL, e.g. https://acme-v02.api.letsencrypt.org/directory",
  },
  ACME_UNREACHABLE: {
    message: 'the ACME server %s cannot be reached (%s); the certificate in use keeps serving',
    fix: "check https.acme.directory and this machine's outbound HTTPS; the supervisor retries by itself (or run `webstack tls renew`)",
  },
  ACME_CHALLENGE_FAILED: {
    message: 'the ACME server could not validate %s: %s; the certificate in use keeps serving',
    fix: 'point the A records of www and the apex at this server and let port 80 in, then run `webstack tls renew`',
  },
  ACME_RATE_LIMITED: {
    message: 'the ACME server refused for now (rate limited): %s; the certificate in use keeps serving',
    fix: 'wait until %s; the supervisor retries by itself (or run `webstack tls renew` then)',
  },
  ACME_FAILED: {
    message: 'the ACME server refused the certificate: %s; the certificate in use keeps serving',
    fix: 'fix the cause above (`webstack tls status` shows the problem document), then run `webstack tls renew`',
  },
  ACME_NOT_CONFIGURED: {
    message: 'no certificates come from ACME here (https.acme is not set)',
    fix: 'set https.acme in the webstack config (see the README, "Run it for real") and run `webstack up`',
  },

  // The ACME pair shipped from the issuing lb to the other lb (components/tls/pair-sync.ts).
  ACME_PAIR_LISTEN_FAILED: {
    message: 'the ACME pair server cannot listen on %s:%s (%s)',
    fix: 'free that port on this lb (`ss -ltnp` shows who holds it), or choose another port for the pair in the webstack config',
  },
  ACME_PAIR_TLS_MISSING: {
    message: "this lb's cluster certificate or key %s is missing",
    fix: 'run `webstack up` from the operator machine: it gives every lb its cluster certificate',
  },
  ACME_ISSUER_UNREACHABLE: {
    message: 'the issuing lb %s cannot be reached at %s (%s); the certificate in use keeps serving',
    fix: 'check that webstack runs there (`webstack status`) and that this lb reaches it on that port; this lb retries by itself',
  },
  ACME_ISSUER_TLS_REFUSED: {
    message:
      'the TLS connection to the issuing lb %s at %s failed (%s); the certificate in use keeps serving',
    fix: 'both lbs need certificates of the same cluster CA, each naming its own host: run `webstack up` from the operator machine',
  },
  ACME_PAIR_FORBIDDEN: {
    message:
      'the issuing lb %s refused the ACME pair to this host (HTTP %s); the certificate in use keeps serving',
    fix: 'run `webstack up` from the operator machine with the inventory both lbs share: the issuer serves the pair to the other lb only',
  },
  ACME_PAIR_INVALID: {
    message: 'the ACME pair from the issuing lb %s is not usable: %s; the certificate in use keeps serving',
    fix: 'run `webstack tls status` on the issuing lb, and `webstack tls renew` there if its pair is damaged',
  },
  ACME_ISSUER_NO_CERTIFICATE: {
    message: 'the issuing lb %s has no certificate from ACME yet',
    fix: 'see `webstack tls status` on the issuing lb; this lb fetches the pair by itself once it is there',
  },

  // The firewall: webstack's own nftables table
  FIREWALL_ADDRESS_INVALID: {
    message: 'the firewall rule for %s names %s, which is not an IP address',
    fix: 'set the address of that host in the inventory to an IPv4 or IPv6 address',
  },
  FIREWALL_PORT_INVALID: {
    message: 'the firewall rule for %s names port %s, which is not 1..65535',
    fix: 'set the port in the webstack config to a whole number from 1 to 65535',
  },
  FIREWALL_PORT_TWICE: {
    message: 'port %s is guarded twice, for %s and for %s',
    fix: 'give the application and the database different ports in the webstack config',
  },
  FIREWALL_NAME_INVALID: {
    message: 'firewall rule name %s is not lower-case letters, digits and _, or is used twice',
    fix: 'report this as a bug in webstack',
  },
  FIREWALL_REJECTED: {
    message: 'nft refused the rules in %s (%s); the previous rules are still in place',
    fix: 'check that the kernel has nf_tables (`nft list tables`); if it does, report this as a bug in webstack with that file',
  },
  FIREWALL_UNREADABLE: {
    message: 'cannot read table inet webstack: %s',
    fix: 'check nftables with `nft list table inet webstack`; `webstack up` writes the table again',
  },

  // DNS
  DNS_ZONE_INVALID: {
    message: 'named-checkzone rejected the %s zone: %s',
    fix: 'check domain and serverIp in the webstack config',
  },
  ZONE_DOMAIN_INVALID: {
    message: 'zone domain must be a lower-case domain name: %s',
    fix: 'set domain in the webstack config to a lower-case domain name, e.g. foobar.com',
  },
  ZONE_IP_INVALID: {
    message: 'zone serverIp must be an IPv4 address: %s',
    fix: 'set serverIp in the webstack config to the server’s public IPv4 address',
  },
  ZONE_SERIAL_RANGE: {
    message: 'zone serial %s is outside 1..4294967295',
    fix: 'remove the zone file (`webstack dns` writes it again with a fresh serial)',
  },

  // Log rotation
  LOGROTATE_PATH: {
    message: 'logrotate path must be absolute and plain: %s',
    fix: 'keep stateDir a path of letters, digits and . _ / + @ -',
  },
  LOGROTATE_NO_LOGS: {
    message: 'logrotate needs at least one log file',
    fix: 'report this as a bug in webstack',
  },
  LOGROTATE_KEEP: {
    message: 'keepDays must be a positive integer: %s',
    fix: 'keep logs for at least one day',
  },
  // SSH to the hosts of the inventory
  SSH_HOST_KEY_CHANGED: {
    message:
      'the host key of %s is not the one pinned in %s: the machine was reinstalled, or someone is in the middle',
    fix: 'check the new key out of band; if it is right, run `ssh-keygen -R %s -f KNOWN_HOSTS` with the file above and retry',
  },
  SSH_AUTH_FAILED: {
    message: 'ssh to %s was refused: no key it accepts',
    fix: "add the operator's public key to root's authorized_keys there, or set ssh.identityFile for that host",
  },
  SSH_CONTROL_DIR_UNSAFE: {
    message: "the directory of ssh's multiplexing sockets %s is not this user's alone (mode 0700)",
    fix: 'remove it (or make it yours, mode 0700) and run the command again',
  },
  SSH_FAILED: {
    message: 'ssh to %s failed: %s',
    fix: 'run the command again; if it repeats, try `ssh` to that host by hand',
  },
  SSH_UNREACHABLE: {
    message: 'ssh cannot reach %s: %s',
    fix: 'check the address and port in the inventory, that sshd runs there, and that a firewall lets this machine in',
  },

  // A cluster: the operator's machine driving the hosts
  CLUSTER_OPERATOR_ONLY: {
    message:
      'this config names hosts: `webstack %s` runs on each host from the copy `webstack up` writes there',
    fix: 'run `webstack up --config %s` from the operator machine',
  },
  CLUSTER_VERB_NOT_YET: {
    message: '`webstack %s` does not run across hosts yet',
    fix: 'run it on a host: ssh there and run `%s`',
  },
  CLUSTER_HOST_UNSUPPORTED: {
    message: 'host %s runs %s; webstack needs Debian 12 or later',
    fix: 'use a Debian 12 host, or take it out of "hosts"',
  },
  CLUSTER_HOST_ARCH: {
    message: 'host %s is %s, but the Node.js runtime and modules webstack ships are %s',
    fix: 'run the operator machine on the same CPU architecture as the hosts',
  },
  CLUSTER_NOT_ROOT: {
    message: 'on host %s, %s is not root and has no password-less sudo',
    fix: 'set hosts[].ssh.user to root, or give that user password-less sudo',
  },
  CLUSTER_COPY_CORRUPT: {
    message: 'the copy of %s on host %s has checksum %s, not %s',
    fix: 'run the command again; if it repeats, check the disk and the network of that host',
  },
  CLUSTER_HOST_FAILED: {
    message: 'host %s did not come up: %s',
    fix: "fix the cause and run `webstack up` again (the host's log: `webstack logs --host %s webstack`)",
  },
  RELEASE_NOT_SHIPPED: {
    message: 'release %s is not on this host (%s)',
    fix: 'deploy from the operator machine: `webstack deploy --config FILE` ships the release first',
  },
  DATABASE_NOT_HERE: {
    message: 'this host runs no database',
    fix: 'send the request to a db host',
  },
  NGINX_NOT_HERE: {
    message: 'this host runs no Nginx: only an lb host drains app hosts',
    fix: 'send the request to an lb host',
  },
  DRAIN_LAST_HOST: {
    message: 'draining %s would leave this lb no app host to send requests to',
    fix: 'deploy one app host at a time, with the others healthy',
  },
  DRAIN_UNKNOWN_HOST: {
    message: 'this lb has no app host named %s',
    fix: 'name one of: %s',
  },
  CLUSTER_DEPLOY_NO_PEER: {
    message: 'no other app host serves while %s would be deployed (%s are not healthy)',
    fix: 'run `webstack status`, bring those hosts back (`webstack up`), then deploy again',
  },
  CLUSTER_DEPLOY_INTERRUPTED: {
    message: 'stopped by the operator (Ctrl-C): the app hosts it had switched are back on their release',
    fix: 'run `webstack status` to see each host, then `webstack deploy` again',
  },
  CLUSTER_UNDO_INCOMPLETE: {
    message: 'the rollout stopped (%s), and %s could not be put back: they still run %s',
    fix: 'run `webstack status`, bring those hosts back, then `webstack deploy` (forward) or `webstack rollback`',
  },
  CLUSTER_DEPLOY_HOST_FAILED: {
    message: 'the release %s did not become ready on %s: %s',
    fix: 'every other app host still serves the old release; fix the release and deploy again (`webstack logs` on %s)',
  },
  CLUSTER_HOST_REFUSED: {
    message: 'host %s did not answer as webstack does: %s',
    fix: 'run `webstack up` from the operator machine, which installs webstack there',
  },
  CLUSTER_CA_MISSING: {
    message: "the cluster CA's certificate %s is missing on this host",
    fix: 'run `webstack up` from the operator machine: it puts the certificate on every host',
  },
  CLUSTER_HOST_TIMEOUT: {
    message: 'host %s was not healthy within %s s',
    fix: 'run `webstack status` and `webstack logs --host %s`',
  },

  // A replicated database: Galera on three or more db hosts
  GALERA_OPTION_INVALID: {
    message: 'Galera option %s cannot be %s (letters, digits and ./:_- only)',
    fix: 'use plain names and paths in the inventory and stateDir',
  },
  GALERA_NODES_INVALID: {
    message: 'a Galera cluster needs an odd number of 3 or more nodes including this one (%s; this node %s)',
    fix: 'give the role "db" to 3, 5 or 7 hosts',
  },
  GALERA_NODE_SILENT: {
    message: 'db host(s) %s do not answer: they may hold newer writes, or a primary component of their own',
    fix: 'bring them up (`webstack lab start`, or power them on) and run `webstack up` again; if they are gone for good, choose the node yourself: `webstack db bootstrap --from NODE --force`',
  },
  GALERA_PRIMARY_EXISTS: {
    message: 'a primary component already runs on %s: bootstrapping another would split the cluster in two',
    fix: 'nothing to bootstrap: the other nodes join it by themselves (`webstack status` shows them)',
  },
  GALERA_CLUSTERS_DIFFER: {
    message: 'the db hosts remember different clusters (%s): webstack will not guess which one is yours',
    fix: 'choose the node whose data you keep: `webstack db bootstrap --from NODE --force` (the others then copy it by SST)',
  },
  GALERA_NOT_WAITING: {
    message: 'node %s is %s, not waiting to bootstrap',
    fix: 'bootstrap only a stopped cluster; `webstack status` shows each node',
  },
  GALERA_NOT_HERE: {
    message: 'this host runs no Galera node',
    fix: 'run the command on the operator machine with the inventory (`webstack db ... --config FILE`)',
  },
  GALERA_NOT_CLUSTER: {
    message: 'this stack has one database server, not a Galera cluster',
    fix: 'give the role "db" to 3 hosts in the inventory',
  },
  GALERA_TIMEOUT: {
    message: 'the Galera cluster did not form within %s s: %s',
    fix: 'run `webstack status` and `webstack logs --host NODE database`',
  },
  HAPROXY_CONF_INVALID: {
    message: 'HAProxy configuration: %s cannot be %s',
    fix: 'use IPv4 addresses and host names of lowercase letters, digits and dashes in the inventory',
  },
  HAPROXY_START_FAILED: {
    message: 'HAProxy did not start: %s',
    fix: 'run `haproxy -c -f %s` on the host for the whole message',
  },
  KEEPALIVED_CONF_INVALID: {
    message: 'keepalived configuration: %s cannot be %s',
    fix: 'use IPv4 addresses, host names of lowercase letters, digits and dashes, and vrrp.advertIntervalMs in tens of ms',
  },
  KEEPALIVED_START_FAILED: {
    message: 'keepalived did not start: %s',
    fix: 'run `keepalived -t -f %s` on the host for the whole message',
  },
  VIP_NO_INTERFACE: {
    message: 'no interface of this host holds its inventory address %s',
    fix: "set the host's address in the inventory to one `ip -4 addr` shows on it",
  },
  VIP_OUTSIDE_SUBNET: {
    message: 'the floating address %s is not in the subnet %s of %s',
    fix: 'set "vip" to a free address of the subnet both lb hosts are on',
  },
  GALERA_UNKNOWN_NODE: { message: 'no db host named %s', fix: 'name one of: %s' },

  // The lab: test hosts in network namespaces
  LAB_BOOT_FAILED: {
    message: '%s on lab host %s did not start%s',
    fix: 'see %s; then `webstack lab down` and `webstack lab up` again',
  },
  LAB_KILL_TIMEOUT: {
    message: 'processes of lab host %s are still there 20 s after SIGKILL: %s',
    fix: 'check them with `ip netns pids %s` (a process stuck in the kernel ends when its I/O does), then retry',
  },
  LAB_EXISTS: {
    message: 'a lab already exists in %s',
    fix: 'use it, or remove it first with `webstack lab down --dir %s`',
  },
  LAB_RUNNING: {
    message: 'a lab already runs on this machine (bridge %s%s)',
    fix: 'remove it first with `webstack lab down --dir %s`',
  },
  LAB_NAME_TAKEN: {
    message: 'network namespaces named %s already exist',
    fix: 'remove them (`ip netns delete %s`) if nothing uses them, then retry',
  },
  LAB_NOT_ROOT: {
    message: '`webstack lab %s` works on network namespaces, links and mounts, which needs root',
    fix: 'run it as root: `sudo webstack lab %s …`',
  },
  LAB_TOOLS_MISSING: {
    message: 'the lab needs %s, which %s not installed',
    fix: 'run `apt-get install -y %s` (or `webstack install --with-test-tools`)',
  },
  LAB_DIR_RELATIVE: { message: 'the lab directory must be an absolute path (got %s)', fix: 'pass --dir %s' },
  LAB_DIR_COVERED: {
    message: '%s is under %s, which every lab host replaces with its own',
    fix: 'pass a --dir elsewhere, e.g. --dir /var/lib/webstack-lab',
  },
  LAB_DIR_UNSAFE: {
    message:
      "%s is not a root-owned directory closed to group and others, so sshd would refuse the lab's keys under it",
    fix: 'pass a --dir under a root-owned 0755 directory, e.g. --dir /var/lib/webstack-lab (not under /tmp)',
  },
  LAB_DIR_NOT_EMPTY: {
    message: '%s already holds files; a lab needs a directory of its own',
    fix: 'pass a --dir that does not exist yet (or is empty), e.g. --dir /var/lib/webstack-lab',
  },
  LAB_STATE_UNREADABLE: {
    message: '%s is not a lab state file webstack wrote',
    fix: "remove the lab's leftovers by hand (ip netns delete NAME; ip link delete %s), then remove %s",
  },
  LAB_NOT_FOUND: {
    message: 'there is no lab in %s',
    fix: 'run `webstack lab up --lb 1 --app 2 --db 1` first (or pass the --dir it was made with)',
  },
  LAB_HOST_UNKNOWN: {
    message: 'the lab in %s has no host named %s',
    fix: 'use one of: %s (see `webstack lab status`)',
  },
  LAB_BAD_COUNT: {
    message: '--%s must be a whole number of hosts, 0 or more (got %s)',
    fix: 'run e.g. `webstack lab up --lb 1 --app 2 --db 1`',
  },
  LAB_NO_HOSTS: {
    message: 'a lab needs at least one host',
    fix: 'run e.g. `webstack lab up --lb 1 --app 2 --db 1`',
  },
  LAB_TOO_MANY_HOSTS: {
    message: "%s hosts do not fit in the lab's %s (at most %s)",
    fix: 'ask for %s hosts or fewer in all',
  },
  LAB_HOST_MISSING: { message: 'name the lab host', fix: 'e.g. `webstack lab crash app1`' },
} as const satisfies Record<string, { readonly message: string; readonly fix: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** A value that fills one `%s`. */
export type ErrorValue = string | number;

type Holes<S extends string> = S extends `${string}%s${infer Rest}` ? [ErrorValue, ...Holes<Rest>] : [];

/** The values a code needs: one per `%s` in its message, then one per `%s` in its fix. */
export type ErrorValues<C extends ErrorCode> = [
  ...Holes<(typeof ERRORS)[C]['message']>,
  ...Holes<(typeof ERRORS)[C]['fix']>,
];

type ErrorArgs<C extends ErrorCode> = ErrorValues<C> | [...ErrorValues<C>, ErrorOptions];

function holes(template: string): number {
  return template.split('%s').length - 1;
}

function format(template: string, values: readonly ErrorValue[]): string {
  let i = 0;
  return template.replace(/%s/g, () => String(values[i++]));
}

export class WebstackError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly fix: string;

  constructor(code: C, ...args: ErrorArgs<C>) {
    const last = args.at(-1);
    const options = typeof last === 'object' ? last : undefined;
    const values = (options ? args.slice(0, -1) : args) as ErrorValue[];
    const { message, fix } = ERRORS[code];
    const inMessage = holes(message);
    super(format(message, values.slice(0, inMessage)), options);
    this.name = 'WebstackError';
    this.code = code;
    this.fix = format(fix, values.slice(inMessage));
  }

  /**
   * An error that crossed the control socket as { code, message, fix }: its texts are already
   * formatted (by the supervisor, from this same table). A code this CLI does not know keeps its texts.
   */
  static received(body: { code?: unknown; message?: unknown; fix?: unknown }): WebstackError {
    const message = typeof body.message === 'string' ? body.message : 'the supervisor refused';
    const error = new WebstackError('SUPERVISOR_ERROR', message);
    // The texts are the supervisor's, not this table's: set them as they came.
    return Object.assign(error, {
      code: typeof body.code === 'string' ? body.code : error.code,
      ...(typeof body.fix === 'string' ? { fix: body.fix } : {}),
    });
  }
}

export function isWebstackError(error: unknown): error is WebstackError {
  return error instanceof WebstackError;
}

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERRORS, code);
}

/**
 * The file-system failures an operator causes and can fix (permissions, a missing directory, a full
 * disk), as coded errors; anything else is returned as it is.
 */
export function systemError(error: unknown): unknown {
  const { code, path, syscall = 'access' } = (error ?? {}) as NodeJS.ErrnoException;
  if (typeof path !== 'string') return error;
  const doing = syscall;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return new WebstackError('PERMISSION_DENIED', doing, path, { cause: error });
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return new WebstackError('PATH_MISSING', doing, path, { cause: error });
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return new WebstackError('DISK_FULL', doing, path, { cause: error });
  return error;
}
