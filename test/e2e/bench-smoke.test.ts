/**
 * The compiled bench (dist/bench, no tsx) in smoke mode (3 s per scenario, small data) completes against a real stack and
 * reports numbers for every scenario. It asserts that the numbers exist, never how fast they are.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BenchReport } from '../../bench/report.js';
import { RUN_ORDER } from '../../bench/scenarios.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('npm run bench --smoke reports req/s, latency, errors and RSS for every scenario', async () => {
  const out = await mkdtemp(join(tmpdir(), 'webstack-bench-smoke-'));
  after(() => rm(out, { recursive: true, force: true }));
  const result = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      process.execPath,
      // The compiled bench, as `webstack bench` runs it: from the build (dist/bench), without tsx.
      [join(root, 'dist', 'bench', 'bench', 'run.js'), '--smoke', '--out', out],
      { cwd: root, timeout: 480_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) || 1 : 0, output: stdout + stderr }),
    );
  });
  assert.equal(result.code, 0, result.output.slice(-4000));

  const report = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as BenchReport;
  assert.equal(report.mode, 'smoke');
  assert.deepEqual(
    report.scenarios.map((s) => s.name),
    [...RUN_ORDER],
  );
  for (const s of report.scenarios) {
    assert.ok(s.requests > 0, `${s.name} sent no request`);
    for (const key of ['requestsPerSecond', 'p50Ms', 'p99Ms', 'non2xx', 'socketErrors'] as const)
      assert.ok(Number.isFinite(s[key]) && s[key] >= 0, `${s.name}.${key} = ${s[key]}`);
    assert.ok(s.rssPeak.total > 0, `${s.name} has no RSS sample`);
    assert.ok(s.preflightStatus > 0, `${s.name} has no preflight status`);
  }
  assert.ok(report.rssIdle && report.rssIdle.workers > 0 && report.rssIdle.mariadb > 0);
  assert.ok(typeof report.upToHealthySeconds === 'number' && report.upToHealthySeconds > 0);
  assert.equal(report.targets.length, 9);
  const markdown = await readFile(join(out, `bench-${report.startedAt.replace(/[:.]/g, '-')}.md`), 'utf8');
  for (const s of report.scenarios)
    assert.ok(markdown.includes(`| ${s.title}`), `${s.title} not in the table`);
});
