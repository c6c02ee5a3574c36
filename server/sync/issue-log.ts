import type { RunIssue } from '../http/contract';
import type { RunRecords } from './run-records';

/** Collects a run's issues: keeps at most `max` of them, counts them all, writes them in batches. */
export interface IssueLog {
  /** Notes one issue (never the record itself). */
  add(issue: RunIssue): void;
  /** Writes the issues noted since the last flush, in one INSERT. */
  flush(): Promise<void>;
  /** How many issues were noted in all. */
  readonly count: number;
}

/** An issue log for one run; `already` counts (and keeps) issues an earlier phase wrote. */
export function createIssueLog(records: RunRecords, runId: number, max: number, already = 0): IssueLog {
  let pending: RunIssue[] = [];
  let kept = Math.min(already, max);
  let count = already;
  return {
    add(issue) {
      count += 1;
      if (kept < max) {
        kept += 1;
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
  };
}
