import type { ComponentName } from '../cluster/plan.js';
import type { ResolvedConfig } from '../core/config/load.js';

export type Severity = 'ok' | 'warning' | 'critical';

export interface Finding {
  title: string;
  severity: Severity;
  detail: string;
  fix: string | null;
}

/** What a check found, before doctor adds the check's title. */
export type CheckResult = Omit<Finding, 'title'>;

/**
 * A doctor check: data, not code paths (Ghost-CLI's doctor, made explicit). Each lives in a file
 * of its own, beside the component it checks; doctor/doctor.ts lists them in order.
 */
export interface Check {
  title: string;
  /** The components it concerns: a host of a cluster that runs none of them skips it (default: all). */
  on?: readonly ComponentName[];
  run(config: ResolvedConfig, context: { running: boolean }): Promise<CheckResult>;
}

/** A passing result. */
export const ok = (detail: string): CheckResult => ({ severity: 'ok', detail, fix: null });
