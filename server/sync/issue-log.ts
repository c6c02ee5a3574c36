import type { RunIssue } from '../domain/contract';
import type { RunRecords } from './run-records';

/** Issues of one code kept as samples: enough to act on, few enough that one code never hides another. */
export const SAMPLES_PER_CODE = 20;
/** Distinct codes counted, at most (codes are the engine's own, so this is a safety bound). */
const MAX_CODES = 200;

/**
 * Collects a run's issues aggregated per code: every issue is counted under its code, and at most
 * `SAMPLES_PER_CODE` of each code (and `max` in all) are kept as samples, so thousands of one
 * code (a grade on every student, say) cannot crowd a rarer, more important one out of the cap.
 */
export interface IssueLog {
  /** Notes one issue (never the record itself). */
  add(issue: RunIssue): void;
  /** Writes the samples noted since the last flush, in one INSERT. */
  flush(): Promise<void>;
  /** How many issues were noted in all. */
  readonly count: number;
  /** How many issues were noted per code (this phase of the run). */
  readonly byCode: Readonly<Record<string, number>>;
}

/** An issue log for one run; `already` counts (and keeps) issues an earlier phase wrote. */
export function createIssueLog(records: RunRecords, runId: number, max: number, already = 0): IssueLog {
  let pending: RunIssue[] = [];
  let kept = Math.min(already, max);
  let count = already;
  const byCode: Record<string, number> = {};
  const keptByCode: Record<string, number> = {};
  return {
    add(issue) {
      count += 1;
      if (byCode[issue.code] !== undefined || Object.keys(byCode).length < MAX_CODES) byCode[issue.code] = (byCode[issue.code] ?? 0) + 1;
      const samples = keptByCode[issue.code] ?? 0;
      if (kept < max && samples < SAMPLES_PER_CODE) {
        kept += 1;
        keptByCode[issue.code] = samples + 1;
        pending.push(issue);
      }
    },
    async flush() {
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      await records.addIssues(runId, batch);
    },
    get count() {
      return count;
    },
    get byCode() {
      return byCode;
    },
  };
}
