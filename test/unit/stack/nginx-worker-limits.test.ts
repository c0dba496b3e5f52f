import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { NginxComponent } from '../../../src/stack/components/nginx/component.js';
import { renderNginxConf } from '../../../src/stack/components/nginx/conf.js';
import {
  countCpus,
  MAX_WORKER_CONNECTIONS,
  MIN_WORKER_CONNECTIONS,
  parseMemTotal,
  parseNofileHardLimit,
  readHostCapacity,
  sizeWorkerConnections,
} from '../../../src/stack/components/nginx/worker-limits.js';
import { resolveConfig } from '../../../src/stack/core/config/load.js';
import { statePaths } from '../../../src/stack/core/paths.js';
import { RecordingHost } from '../../../src/stack/host/recording.js';

const GiB = 1024 ** 3;

test('worker_connections follows the machine: the file limit, then memory, within bounds', () => {
  // The systemd unit's LimitNOFILE=65536 on a 2-core, 4 GiB server: memory decides.
  assert.equal(sizeWorkerConnections({ nofileHardLimit: 65_536, memoryBytes: 4 * GiB, cpus: 2 }), 8192);
  // Plenty of memory, a 20000 hard limit: two descriptors a connection decide.
  assert.equal(sizeWorkerConnections({ nofileHardLimit: 20_000, memoryBytes: 24 * GiB, cpus: 2 }), 10_000);
  // More workers share the same memory.
  assert.equal(sizeWorkerConnections({ nofileHardLimit: 65_536, memoryBytes: 4 * GiB, cpus: 8 }), 2048);
  // A tiny machine still gets nginx's default; a huge one stops at the cap.
  assert.equal(
    sizeWorkerConnections({ nofileHardLimit: 1024, memoryBytes: GiB / 2, cpus: 4 }),
    MIN_WORKER_CONNECTIONS,
  );
  assert.equal(
    sizeWorkerConnections({ nofileHardLimit: 1_048_576, memoryBytes: 512 * GiB, cpus: 2 }),
    MAX_WORKER_CONNECTIONS,
  );
});

test('the file limit is always at least twice worker_connections, and within the hard limit when it can be', () => {
  for (const nofileHardLimit of [1024, 4096, 20_000, 65_536, 1_048_576]) {
    for (const memoryBytes of [GiB / 2, 2 * GiB, 16 * GiB, 256 * GiB]) {
      for (const cpus of [1, 2, 16, 64]) {
        const workerConnections = sizeWorkerConnections({ nofileHardLimit, memoryBytes, cpus });
        const conf = renderNginxConf({
          serverName: 'www.foobar.com',
          apexName: 'foobar.com',
          listen: { host: '0.0.0.0', port: 80 },
          upstream: { host: '127.0.0.1', port: 3000 },
          assetsDir: '/s/assets',
          uploadsCacheDir: '/s/uploads-cache',
          errorPagesDir: '/s/errors',
          accessLog: '/s/logs/access.log',
          errorLog: '/s/logs/error.log',
          pidFile: '/s/run/nginx.pid',
          tempDir: '/s/nginx',
          clientMaxBodyBytes: 1024,
          workerConnections,
        });
        const rlimit = Number(/worker_rlimit_nofile (\d+);/.exec(conf)?.[1]);
        const connections = Number(/worker_connections (\d+);/.exec(conf)?.[1]);
        const where = `${nofileHardLimit} files, ${memoryBytes / GiB} GiB, ${cpus} CPUs`;
        assert.equal(connections, workerConnections, where);
        assert.ok(rlimit >= 2 * connections, where);
        assert.ok(rlimit <= Math.max(nofileHardLimit, 2 * MIN_WORKER_CONNECTIONS), where);
      }
    }
  }
});

test('the capacity is read from /proc: the hard open-files limit, MemTotal, the cpuN lines', async (t) => {
  assert.equal(
    parseNofileHardLimit(
      'Limit  Soft Limit  Hard Limit  Units\nMax open files            1024                 524288               files     \n',
    ),
    524_288,
  );
  assert.equal(parseNofileHardLimit('Max processes 10 10 processes\n'), null);
  assert.equal(parseMemTotal('MemTotal:        4019264 kB\nMemFree: 1 kB\n'), 4_019_264 * 1024);
  assert.equal(countCpus('cpu  1 2 3\ncpu0 1 2 3\ncpu1 1 2 3\nintr 5\n'), 2);
  // Without /proc (a recording host), nothing is guessed: the renderer keeps its default.
  assert.equal(await readHostCapacity(new RecordingHost()), null);
  // This machine, for the record.
  const here = await readHostCapacity({
    readText: async (path: string) => readFileSync(path, 'utf8'),
  } as unknown as RecordingHost);
  assert.ok(here);
  t.diagnostic(`this machine: ${JSON.stringify(here)} → worker_connections ${sizeWorkerConnections(here)}`);
});

test('the nginx component renders worker_connections sized for the machine it reads', async () => {
  const host = new RecordingHost({ root: true });
  const proc = {
    '/proc/self/limits': 'Max open files            1024                 65536                files     \n',
    '/proc/meminfo': `MemTotal:        ${4 * 1024 * 1024} kB\n`,
    '/proc/stat': 'cpu  1 2\ncpu0 1 2\ncpu1 1 2\n',
  };
  for (const [path, content] of Object.entries(proc)) host.files.set(path, { content, mode: 0o444 });
  const paths = statePaths('/srv/webstack');
  const nginx = new NginxComponent(
    host,
    resolveConfig({}),
    paths,
    () => '/srv/release/assets',
    () => {},
  );
  await nginx.reload();
  const conf =
    [...host.files.entries()].find(([path]) => path.startsWith(paths.nginx.config))?.[1].content ?? '';
  assert.match(conf, /worker_connections 8192;/);
  assert.match(conf, /worker_rlimit_nofile 16384;/);
});
