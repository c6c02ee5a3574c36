import { errors } from '../domain/errors';
import type { ResolvedOptions } from '../options';

/** The caps of one run, sized when it starts. */
export interface RunLimits {
  /** Longest the run may take, in ms. */
  maxRunMs: number;
  /** Most pages it may read. */
  maxPages: number;
  /** Most records it may stage. */
  maxStagedRows: number;
}

/**
 * Fewest staged rows and pages a run is allowed, however small the roster: a first sync starts
 * from an empty roster, and the largest districts bring about a million users with guardians.
 */
const MIN_STAGED_ROWS = 2_000_000;
const MIN_PAGES = 1_000;
/** How many times the current roster a pull may bring. */
const ROSTER_GROWTH = 5;
/** Pages allowed per full page's worth of rows (providers may send fewer rows than asked). */
const PAGE_SLACK = 10;

/** The caps for a run on a roster of `rosterPeople` people: the host's options, or sized from the district. */
export function sizeRunLimits(options: Pick<ResolvedOptions, 'runLimits' | 'http'>, rosterPeople: number): RunLimits {
  const maxStagedRows = options.runLimits.maxStagedRows ?? Math.max(MIN_STAGED_ROWS, ROSTER_GROWTH * rosterPeople);
  const maxPages = options.runLimits.maxPages ?? Math.max(MIN_PAGES, Math.ceil((PAGE_SLACK * maxStagedRows) / options.http.pageSize));
  return { maxRunMs: options.runLimits.maxRunMs, maxPages, maxStagedRows };
}

/** Counts what a run has read and throws once it passes a cap. */
export interface PullMeter {
  /** Counts one page and the records it staged; throws `page_limit` or `staged_row_limit` past a cap. */
  page(records: number): void;
}

/** A meter for one run. */
export function createPullMeter(limits: RunLimits): PullMeter {
  let pages = 0;
  let rows = 0;
  return {
    page(records) {
      pages += 1;
      rows += records;
      if (pages > limits.maxPages) {
        throw errors.pageLimit(limits.maxPages);
      }
      if (rows > limits.maxStagedRows) {
        throw errors.stagedRowLimit(limits.maxStagedRows);
      }
    },
  };
}
