/**
 * Runs a reference server in `REF_WORKERS` node:cluster workers, like the stack's app server, so
 * that both have the same cores to use. The primary stops its workers when it is told to stop.
 */
import cluster from 'node:cluster';

export function runClustered(serve: () => void): void {
  if (!cluster.isPrimary) {
    serve();
    return;
  }
  const count = Math.max(1, Number(process.env.REF_WORKERS ?? 1));
  const workers = Array.from({ length: count }, () => cluster.fork());
  let online = 0;
  cluster.on('listening', () => {
    online += 1;
    // The parent waits for this line before it sends load.
    if (online === count) console.log('ready');
  });
  const stop = () => {
    for (const worker of workers) worker.process.kill('SIGTERM');
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
