import { dropUnstorableCharacters } from './clean-text';
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
 * pull reads on to an empty page); never on a short page alone. An empty page ends an uncounted
 * pull only once the page after it is empty too (see `confirmEnd`). A record seen twice (data
 * shifting under the offsets) is yielded once and noted, and still counts as a row against
 * `X-Total-Count`. NUL bytes and lone surrogates are dropped from records, with a note.
 *
 * Throws `incomplete_pull` when fewer rows came than `X-Total-Count` promised, an empty page
 * turned out to sit mid-list, or the page cap was hit: a caller never mistakes a short pull for a
 * complete one.
 */
export async function* pullPages<T extends { sourcedId: string }>(
  fetchPage: PageFetcher,
  normalize: (row: unknown) => Normalized<T> | null,
  limits: PagingLimits,
): AsyncGenerator<PulledPage<T>> {
  // Every id of the pull, compactly: a million of them must not cost hundreds of MB of heap.
  const seen = new CompactIdSet();
  let unidentified = 0;
  let received = 0;
  let total: number | null = null;
  // A count that changes mid-pull means records moved under the offsets (some may be skipped).
  let totalMoved = false;
  let trustTotal = true;
  let confirming = false;
  let pages = 0;

  for (;;) {
    if (pages >= limits.maxPages) {
      throw incomplete(`The pull stopped after ${limits.maxPages} pages (${received} records) without reaching the end of the list.`);
    }
    const page = await fetchPage(received, limits.pageSize);
    pages += 1;
    if (page.total !== null) {
      if (total !== null && page.total !== total) totalMoved = true;
      total = page.total;
    }
    if (page.rows.length === 0) {
      if (received > 0 && (total === null || !trustTotal)) await confirmEnd(fetchPage, received, limits.pageSize);
      break;
    }
    // Rows past the announced end: the count was wrong, so read on to an empty page instead.
    if (confirming) trustTotal = false;
    confirming = false;
    received += page.rows.length;

    const records: T[] = [];
    const problems: RecordProblem[] = [];
    for (const raw of page.rows) {
      const { row, changed } = dropUnstorableCharacters(raw);
      const result = normalize(row);
      if (result === null) continue;
      if ('problem' in result) {
        unidentified += 1;
        problems.push(result.problem);
      } else if (seen.add(result.record.sourcedId)) {
        records.push(result.record);
        if (changed) problems.push(unstorableCharacters(result.record.sourcedId));
      } else {
        problems.push({
          sourcedId: result.record.sourcedId,
          code: 'duplicate_record',
          message: 'The provider sent this record twice in one pull (its data changed while it was read); it was read once.',
        });
      }
    }
    yield { records, problems, total, received };

    if (trustTotal && total !== null && received >= total) {
      if (received > total) trustTotal = false;
      else if (page.rows.length < limits.pageSize) break;
      // Reached exactly on a full page: one more request tells a true count from a low one.
      else confirming = true;
    }
  }

  // Under a steady count, rows: a record listed twice is still one of the rows the count
  // announced. Under a moving one, distinct records: a repeat may stand for one that was skipped.
  const delivered = totalMoved ? seen.size + unidentified : received;
  if (total !== null && trustTotal && delivered < total) {
    throw incomplete(`The provider announced ${total} records but sent ${delivered}${totalMoved ? ' distinct ones' : ''}.`);
  }
}

/**
 * An empty page after some rows, with no count to trust, may be the end or a hole mid-list (a
 * provider bug): reading the page past it tells them apart. Rows there mean the list went on, so
 * the pull cannot be called complete (people after the hole would be taken for gone).
 */
export async function confirmEnd(fetchPage: PageFetcher, received: number, pageSize: number): Promise<void> {
  const past = await fetchPage(received + pageSize, pageSize);
  if (past.rows.length > 0) {
    throw incomplete(`The provider sent an empty page at record ${received}, but more records after it: the list is not complete.`);
  }
}

function unstorableCharacters(sourcedId: string): RecordProblem {
  return {
    sourcedId,
    code: 'invalid_characters',
    message: 'The record held NUL bytes or broken UTF-16 characters; they were dropped and the rest was read.',
  };
}

function incomplete(message: string): ProviderError {
  return new ProviderError('incomplete_pull', message, { hints: hintsFor('incomplete_pull') });
}
