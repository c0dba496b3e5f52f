import { clusterDoctor } from '../cluster/doctor.js';
import type { ResolvedConfig } from '../core/config/load.js';
import { type Finding, runChecks } from '../doctor/doctor.js';

const MARK = { ok: 'ok  ', warning: 'WARN', critical: 'FAIL' } as const;

/** Exits 1 when any finding is critical, so cron or a monitor can run it. */
export async function doctorVerb(config: ResolvedConfig, options: { json?: boolean }): Promise<number> {
  return report(await runChecks(config), options);
}

/** Across hosts: every host's findings under its name, and the operator's own (SSH, clocks). */
export async function clusterDoctorVerb(
  config: ResolvedConfig,
  options: { json?: boolean },
): Promise<number> {
  return report(await clusterDoctor(config), options);
}

function report(findings: Finding[], options: { json?: boolean }): number {
  if (options.json) {
    console.log(JSON.stringify(findings, null, 2));
  } else {
    for (const f of findings) {
      console.log(`${MARK[f.severity]}  ${f.title}: ${f.detail}`);
      if (f.fix) console.log(`      fix: ${f.fix}`);
    }
  }
  return findings.some((f) => f.severity === 'critical') ? 1 : 0;
}
