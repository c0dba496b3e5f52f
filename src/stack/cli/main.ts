/**
 * The operator's CLI. The only file that reads process.argv or calls process.exit: every verb is
 * a function in its own file that returns an exit code or throws a WebstackError.
 */
import { Command, Option } from 'commander';
import { loadConfig, type ResolvedConfig } from '../core/config/load.js';
import { WebstackError } from '../core/errors.js';
import { backupVerb, restoreVerb } from './backup.js';
import { benchVerb } from './bench.js';
import {
  clusterBackupVerb,
  clusterDeployVerb,
  clusterDownVerb,
  clusterLogsVerb,
  clusterMetricsVerb,
  clusterRestoreVerb,
  clusterRollbackVerb,
  clusterSiteVerb,
  clusterStatusVerb,
  clusterTlsRenewVerb,
  clusterTlsStatusVerb,
  clusterUpVerb,
  drivesCluster,
  notAcrossHosts,
} from './cluster.js';
import { controlVerb } from './control.js';
import { daemonVerb } from './daemon.js';
import { dbBootstrapVerb, dbRestartVerb } from './db.js';
import { deployVerb, rollbackVerb } from './deploy.js';
import { dnsVerb } from './dns.js';
import { clusterDoctorVerb, doctorVerb } from './doctor.js';
import { downVerb } from './down.js';
import { installVerb } from './install.js';
import { installServiceVerb } from './install-service.js';
import {
  type LabOptions,
  labCrashVerb,
  labDownVerb,
  labHealVerb,
  labIsolateVerb,
  labStartVerb,
  labStatusVerb,
  labUpVerb,
} from './lab.js';
import { logsVerb } from './logs.js';
import { metricsVerb } from './metrics.js';
import { printError } from './output.js';
import { seedVerb, userAddVerb, userLogoutVerb, userRoleVerb } from './site-commands.js';
import { statusVerb } from './status.js';
import { tlsRenewVerb, tlsStatusVerb } from './tls.js';
import { upVerb } from './up.js';

type Verb<O> = (config: ResolvedConfig, options: O) => Promise<number>;

const program = new Command('webstack')
  .description('The simple web stack for www.foobar.com: Nginx, a Node.js application server and MariaDB.')
  .option(
    '-c, --config <file>',
    'config file (default: webstack.config.json in the current directory, if present)',
  )
  .showHelpAfterError('(add --help for usage)')
  .exitOverride();

/**
 * Wraps a verb: loads the config, runs it, turns its result into an exit code. With a config that
 * names hosts, on the operator's machine, the verb's cluster form runs instead (`across`), or a
 * clear refusal when it has none yet.
 */
function action<O>(verb: Verb<O>, across?: Verb<O>) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const options = { ...(command.opts() as O), args: command.args } as O;
    const config = loadConfig(program.opts<{ config?: string }>().config);
    if (drivesCluster(config)) {
      if (!across) notAcrossHosts(command.name());
      process.exitCode = await across(config, options);
      return;
    }
    process.exitCode = await verb(config, options);
  };
}

program
  .command('up')
  .description('install what is missing, start MariaDB, the application server and Nginx; wait until healthy')
  .option('--no-seed', 'do not load the demo content on first run')
  .action(action(upVerb, clusterUpVerb));
program
  .command('down')
  .description('stop everything gracefully, in order')
  .action(action(downVerb, clusterDownVerb));
program
  .command('status')
  .description('state, PID, health, version and uptime of each component (exit 1 if anything is unhealthy)')
  .option('--json', 'machine-readable output')
  .option('-w, --watch', 'refresh every 2 s with live request rate, latency and errors (Ctrl-C stops)')
  .addOption(new Option('--count <frames>', 'with --watch: stop after this many refreshes').hideHelp())
  .action(action(statusVerb, clusterStatusVerb));
program
  .command('logs')
  .description('show logs: nginx (access and error), app (JSON), mariadb, webstack (the supervisor)')
  .argument('[component]', 'nginx | nginx-access | nginx-error | app | mariadb | webstack (default: all)')
  .option('-f, --follow', 'keep printing new lines')
  .option('-n, --lines <count>', 'lines to show from each log', '50')
  .option('--request-id <id>', 'only the lines of this request (Nginx access log and application log)')
  .option('--status <code>', 'only the requests answered with this HTTP status')
  .option('--host <name>', 'across hosts: only this host (default: every host, each line after its name)')
  .action(action(logsVerb, clusterLogsVerb));
program
  .command('metrics')
  .description('print every metric of the running stack in the Prometheus text format')
  .option('--url', 'print the loopback URL Prometheus can scrape instead (it requires the bearer token)')
  .option(
    '--token-file',
    "print the path of the endpoint's bearer token (0600; Prometheus' credentials_file)",
  )
  .action(action(metricsVerb, clusterMetricsVerb));
program
  .command('doctor')
  .description(
    'check ports, packages, permissions, disk, zone, nginx -t, database and DNS; print a fix for each finding',
  )
  .option('--json', 'machine-readable output')
  .action(action(doctorVerb, clusterDoctorVerb));
program
  .command('dns')
  .description('write, print and check the zone file of the domain')
  .action(action(dnsVerb));
const tls = program.command('tls').description('the HTTPS certificate from ACME (https.acme)');
tls
  .command('status')
  .description('names, issuer, serial, expiry and the last issuance or renewal attempt')
  .option('--json', 'machine-readable output')
  .action(action(tlsStatusVerb, clusterTlsStatusVerb));
tls
  .command('renew')
  .description('renew the certificate now if it is due; --force renews it anyway')
  .option('--force', 'renew even when the certificate is far from expiry')
  .action(action(tlsRenewVerb, clusterTlsRenewVerb));
program
  .command('seed')
  .description('load the demo content (idempotent)')
  .action(
    action(
      seedVerb,
      clusterSiteVerb(() => ['seed']),
    ),
  );
const user = program.command('user').description('manage site accounts');
user
  .command('add')
  .description('create an account (the password is read from stdin, or generated and printed once)')
  .requiredOption('--email <email>', 'the email address to log in with')
  .addOption(
    new Option('--role <role>', 'the account role').choices(['admin', 'editor', 'member']).default('member'),
  )
  .action(
    action(
      userAddVerb,
      clusterSiteVerb((o) => ['user', 'add', '--email', o.email ?? '', '--role', o.role ?? ''], {
        readsPassword: true,
      }),
    ),
  );
program
  .command('deploy')
  .description(
    'build DIR into a new release, back up, migrate, roll the workers over, switch; old release keeps serving on failure',
  )
  .argument('[dir]', 'the code base to deploy (default: the checkout webstack runs from)')
  .option('--no-build', 'DIR is already built (dist/ present): skip npm ci and npm run build')
  .action(action(deployVerb, clusterDeployVerb));
program
  .command('rollback')
  .description(
    'switch back to the previous release the same way (refused if it cannot run on the current schema)',
  )
  .action(action(rollbackVerb, clusterRollbackVerb));
program
  .command('backup')
  .description('consistent online backup of the database and the uploads into one archive with a SHA-256')
  .argument('[file]', 'archive to write (default: <stateDir>/backups/webstack-backup-<time>.tar.gz)')
  .option('--keep <count>', 'then keep only the newest COUNT archives in that directory')
  .action(action(backupVerb, clusterBackupVerb));
program
  .command('restore')
  .description(
    'verify an archive, load it into a fresh database, check row counts, swap it and the uploads in',
  )
  .argument('<file>', 'archive made by `webstack backup`')
  .action(action(restoreVerb, clusterRestoreVerb));
const db = program
  .command('db')
  .description('the replicated database (a Galera cluster of 3 or more db hosts)');
const oneServer = async (): Promise<number> => {
  throw new WebstackError('GALERA_NOT_CLUSTER');
};
db.command('bootstrap')
  .description('start a stopped cluster from the node you choose (when `up` refuses to choose)')
  .requiredOption('--from <node>', 'the db host whose data the cluster keeps')
  .option('--force', 'even when another node does not answer (it must be down for good: else two primaries)')
  .action(action(oneServer, dbBootstrapVerb));
db.command('restart')
  .description('restart every node, one at a time, each Synced again before the next')
  .option('--rolling', 'one node at a time (the only way offered)')
  .action(action(oneServer, dbRestartVerb));
program
  .command('bench')
  .description('load the running stack through Nginx (wrk) and report req/s, latency and memory')
  .option('--duration <seconds>', 'seconds of load per scenario', '10')
  .option('--connections <count>', 'concurrent connections', '64')
  .option('--scenarios <names>', 'comma-separated scenario names (default: all)')
  .option('--compare <file>', 'an earlier run (JSON) to print the change against')
  .option('--out <dir>', 'where the report goes (default artifacts/bench in the checkout)')
  .action(action(benchVerb));
user
  .command('role')
  .description('give an existing account another role')
  .requiredOption('--email <email>', 'the email address of the account')
  .addOption(
    new Option('--role <role>', 'the new role').choices(['admin', 'editor', 'member']).makeOptionMandatory(),
  )
  .action(
    action(
      userRoleVerb,
      clusterSiteVerb((o) => ['user', 'role', '--email', o.email ?? '', '--role', o.role ?? '']),
    ),
  );
user
  .command('logout')
  .description('end every session of an account: every browser and API client it is logged in on')
  .requiredOption('--email <email>', 'the email address of the account')
  .requiredOption('--all', 'every session (required: the shell knows no single one)')
  .action(
    action(
      userLogoutVerb,
      clusterSiteVerb((o) => ['user', 'logout', '--email', o.email ?? '', '--all']),
    ),
  );
program
  .command('install-service')
  .description(
    'write a systemd unit that brings the stack back after a reboot (checked with systemd-analyze verify)',
  )
  .option(
    '-o, --output <file>',
    'write the unit here instead of /etc/systemd/system/webstack.service (and do not enable it)',
  )
  .action(action(installServiceVerb));
const lab = program
  .command('lab')
  .description('test hosts on this machine, one network namespace each, with sshd on 198.18.0.x (root)');
/** The lab needs no config: it makes its own hosts and writes their inventory. */
function labAction(verb: (options: LabOptions) => Promise<number>) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    process.exitCode = await verb({ ...command.opts<LabOptions>(), args: command.args });
  };
}
const labDirOption = () =>
  new Option(
    '--dir <dir>',
    'the lab directory, root-owned and not under /tmp (default: /var/lib/webstack-lab)',
  );
lab
  .command('up')
  .description('create lb1…, app1…, db1…: a namespace, hostname, /var/lib/webstack, /run and sshd each')
  .option('--lb <count>', 'load balancer hosts', '0')
  .option('--app <count>', 'application hosts', '0')
  .option('--db <count>', 'database hosts', '0')
  .addOption(labDirOption())
  .action(labAction(labUpVerb));
lab
  .command('down')
  .description('remove every process, mount, namespace and link of the lab, and its directory')
  .addOption(labDirOption())
  .action(labAction(labDownVerb));
lab
  .command('status')
  .description("each host's address, whether its sshd answers, its power, its link and its process count")
  .option('--json', 'machine-readable output')
  .addOption(labDirOption())
  .action(labAction(labStatusVerb));
lab
  .command('crash')
  .description('power loss: SIGKILL every process of the host and take its links down')
  .argument('<name>', 'the lab host, e.g. app1')
  .addOption(labDirOption())
  .action(labAction(labCrashVerb));
lab
  .command('start')
  .description('reboot: links up, runtime addresses removed, empty /run, then sshd')
  .argument('<name>', 'the lab host, e.g. app1')
  .addOption(labDirOption())
  .action(labAction(labStartVerb));
lab
  .command('isolate')
  .description("cut the host's link to the lab network")
  .argument('<name>', 'the lab host, e.g. app2')
  .addOption(labDirOption())
  .action(labAction(labIsolateVerb));
lab
  .command('heal')
  .description("restore the host's link to the lab network")
  .argument('<name>', 'the lab host, e.g. app2')
  .addOption(labDirOption())
  .action(labAction(labHealVerb));
program
  .command('install', { hidden: true })
  .description('install the Debian packages webstack needs')
  .option('--with-test-tools', 'also bind9, chromium, wrk and what `webstack lab` needs (openssh-server…)')
  .action(action(installVerb));
program
  .command('control', { hidden: true })
  .description("one request to this host's supervisor (what the operator's machine runs over SSH)")
  .argument('<method>', 'GET or POST')
  .argument('<path>', 'e.g. /status')
  .argument('[body]', 'the JSON body')
  .action(action(controlVerb));
program
  .command('daemon', { hidden: true })
  .description('run the supervisor in the foreground (what `up` starts)')
  .option('--no-seed', 'do not load the demo content on first run')
  .action(
    action(daemonVerb, async (config) => {
      throw new WebstackError('CLUSTER_OPERATOR_ONLY', 'daemon', config.file ?? 'FILE');
    }),
  );

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const code = (error as { code?: string }).code;
  if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') {
    process.exitCode = 0;
  } else if (code?.startsWith('commander.')) {
    process.exitCode = 2; // commander already printed the usage error
  } else {
    printError(error);
    process.exitCode = 1;
  }
}
