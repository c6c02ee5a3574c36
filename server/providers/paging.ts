import { CompactIdSet } from './compact-id-set';
import { hintsFor } from './hints';
import type { Normalized } from './normalize';
import { ProviderError, type PulledPage, type RecordProblem } from './types';

/** One raw page as the provider sent it. */
export interface RawPage {
  /** The rows, unread. */
  rows: unknown[];
  /** `X-Total-Count`, when sent. */
  total: number | null;
}

/** Reads the page at an offset. */
export type PageFetcher = (offset: number, limit: number) => Promise<RawPage>;

/** Page size and cap. */
export interface PagingLimits {
  /** Rows asked for per page (providers may silently send fewer). */
  pageSize: number;
  /** Most pages read before the pull is called incomplete. */
  maxPages: number;
}

/**
 * Pages through a list the safe way (oneroster.md, "Paging"): the offset advances by the rows
 * actually received, so a provider capping `limit` silently loses nothing; the pull ends on an
 * empty page or once `X-Total-Count` is reached by a short page (a full page that reaches it is
 * followed by one confirming request, and more rows than announced mean the count is wrong and the
 * pull reads on to an empty page); never on a short page alone. A record seen twice (data shifting under the offsets) is yielded once and noted.
 *
 * Throws `incomplete_pull` when fewer distinct records came than `X-Total-Count` promised, or the
 * page cap was hit: a caller never mistakes a short pull for a complete one.
 */
export async function* pullPages<T extends { sourcedId: string }>(
  fetchPage: PageFetcher,
  normalize: (row: unknown) => Normalized<T> | null,
  limits: PagingLimits,
): AsyncGenerator<PulledPage<T>> {
  // Every id of the pull, compactly: a million of them must not cost hundreds of MB of heap.
  const seen = new CompactIdSet();
  let unidentified = 0;
  let filtered = 0;
  let received = 0;
  let total: number | null = null;
  let trustTotal = true;
  let confirming = false;
  let pages = 0;

  for (;;) {
    if (pages >= limits.maxPages) {
      throw incomplete(`The pull stopped after ${limits.maxPages} pages (${received} records) without reaching the end of the list.`);
    }
    const page = await fetchPage(received, limits.pageSize);
    pages += 1;
    if (page.total !== null) total = page.total;
    if (page.rows.length === 0) break;
    // Rows past the announced end: the count was wrong, so read on to an empty page instead.
    if (confirming) trustTotal = false;
    confirming = false;
    received += page.rows.length;

    const records: T[] = [];
    const problems: RecordProblem[] = [];
    for (const row of page.rows) {
      const result = normalize(row);
      if (result === null) {
        filtered += 1;
        continue;
      }
      if ('problem' in result) {
        unidentified += 1;
        problems.push(result.problem);
      } else if (seen.add(result.record.sourcedId)) {
        records.push(result.record);
      } else {
        problems.push({
          sourcedId: result.record.sourcedId,
          code: 'duplicate_record',
          message: 'The provider sent this record twice in one pull (its data changed while it was read); it was read once.',
        });
      }
    }
    yield { records, problems, total, received, filtered };

    if (trustTotal && total !== null && received >= total) {
      if (received > total) trustTotal = false;
      else if (page.rows.length < limits.pageSize) break;
      // Reached exactly on a full page: one more request tells a true count from a low one.
      else confirming = true;
    }
  }

  // Rows left out on purpose (the non-school orgs of an unfiltered /orgs) were sent all the same.
  if (total !== null && trustTotal && seen.size + unidentified + filtered < total) {
    throw incomplete(`The provider announced ${total} records but sent ${seen.size + unidentified + filtered} distinct ones.`);
  }
}

function incomplete(message: string): ProviderError {
  return new ProviderError('incomplete_pull', message, { hints: hintsFor('incomplete_pull') });
}
