import { dropUnstorableCharacters } from './clean-text';
import { CompactIdSet } from './compact-id-set';
import type { Normalized } from './normalize';
import { incomplete, OffsetPlan, type PageRequest } from './offset-plan';
import { createPagePace, type PagePace, type RateLimitState } from './page-pace';
import type { PulledPage, RecordProblem } from './types';

/** One raw page as the provider sent it. */
export interface RawPage {
  /** The rows, unread. */
  rows: unknown[];
  /** `X-Total-Count`, when sent. */
  total: number | null;
  /** The answer's rate-limit headers, when sent. */
  rateLimit?: RateLimitState | null;
  /** True when no row can hold a NUL or a lone surrogate (see `HttpResponse.storable`); rows are cleaned otherwise. */
  storable?: boolean;
}

/** What a page read gets besides its offset and limit. */
export interface PageFetchContext {
  /** Aborted when the pull ends early (another page failed, or the reader stopped). */
  signal: AbortSignal;
  /** Called for each 429 or 503 answer on the way (retried or not), with its `Retry-After`. */
  onRefused(retryAfterMs: number | null): void;
}

/** Reads the page at an offset. */
export type PageFetcher = (offset: number, limit: number, context: PageFetchContext) => Promise<RawPage>;

/** Page size, cap and concurrency. */
export interface PagingLimits {
  /** Rows asked for per page (providers may silently send fewer). */
  pageSize: number;
  /** Most pages read before the pull is called incomplete. */
  maxPages: number;
  /** Page requests in flight at once; 1 reads serially. Defaults to 1. */
  concurrency?: number;
  /** Longest pause a provider's `Retry-After` or rate-limit reset may impose, in ms. Defaults to 30000. */
  maxPauseMs?: number;
}

/**
 * Pages arrived or on their way, at most, once the reader is behind (a page waits for it). One is
 * enough to keep the reader busy: it asks for the next pages as it takes one (`readNext`), so one
 * is always ready. When the reader is the slower side, more would only hold more parsed pages
 * (~4 MB each at 1,000 users) in the live set V8 sizes its heap by: at 1M UUID users, 2 waiting
 * pages peaked 5-10 MB higher (bench/README.md). While no page waits, up to `concurrency`
 * requests are in flight.
 */
const MAX_WAITING_PAGES = 1;

/**
 * Most ids the seen-set makes room for ahead on the word of `X-Total-Count` alone: a wrong count
 * then costs at most its index (16 MB of slots) rather than whatever it claims. Larger pulls grow
 * the set as they go, as pulls without a count do.
 */
const MAX_RESERVED_IDS = 2_000_000;

/** A page that arrived and waits to be read. */
interface Arrival {
  page: RawPage;
}

/**
 * Pages through a list the safe way (see `OffsetPlan` for the rules), with up to `concurrency`
 * page requests in flight, politely paced (`PagePace`). Pages are yielded as they arrive, in any
 * order; at most `MAX_WAITING_PAGES` arrived pages wait for the reader, so a slow reader holds the
 * requests back rather than filling memory. A record seen twice (data shifting under the offsets)
 * is yielded once and noted, and still counts as a row against a steady `X-Total-Count`. NUL bytes
 * and lone surrogates are dropped from records, with a note.
 *
 * Throws `incomplete_pull` when fewer rows came than `X-Total-Count` promised, a page
 * was empty in mid-feed, or the page cap was hit: a caller never mistakes a short pull for a
 * complete one. Any page's failure ends the pull (the other requests are aborted).
 */
export async function* pullPages<T extends { sourcedId: string }>(
  fetchPage: PageFetcher,
  normalize: (row: unknown) => Normalized<T> | null,
  limits: PagingLimits,
): AsyncGenerator<PulledPage<T>> {
  const concurrency = Math.max(1, limits.concurrency ?? 1);
  const plan = new OffsetPlan({ pageSize: limits.pageSize, maxPages: limits.maxPages, readAhead: concurrency });
  const pace: PagePace = createPagePace({ concurrency, maxPauseMs: limits.maxPauseMs ?? 30_000 });
  // Every id of the pull, compactly: a million of them must not cost hundreds of MB of heap.
  const seen = new CompactIdSet();
  let reserved = false;
  let unidentified = 0;
  let filtered = 0;
  let received = 0;

  const stop = new AbortController();
  const arrived: Arrival[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  let resume: (() => void) | null = null;
  let pauseTimer: NodeJS.Timeout | null = null;
  /** Set once the pull is over (ended, failed or abandoned by its reader): nothing new starts. */
  let closed = false;
  const wake = () => {
    resume?.();
    resume = null;
  };

  function fail(error: unknown): void {
    failure ??= { error };
    stop.abort();
  }

  /** Starts every request the plan wants that the pace and the waiting pages allow. */
  function launch(): void {
    while (!closed && !failure && inFlight.size < pace.allowed() && (arrived.length === 0 || arrived.length + inFlight.size < MAX_WAITING_PAGES)) {
      const wait = pace.delayMs();
      if (wait > 0) {
        pauseTimer ??= setTimeout(() => {
          pauseTimer = null;
          launch();
          wake();
        }, wait);
        return;
      }
      let request: PageRequest | null;
      try {
        request = plan.next();
      } catch (err) {
        return fail(err);
      }
      if (!request) return;
      start(request);
    }
  }

  function start({ offset, limit }: PageRequest): void {
    const ticket = pace.begin();
    const context: PageFetchContext = { signal: stop.signal, onRefused: (retryAfterMs) => pace.refused(ticket, retryAfterMs) };
    const request = fetchPage(offset, limit, context)
      .then((page) => {
        if (failure) return;
        if (page.rateLimit) pace.observed(page.rateLimit);
        arrived.push({ page });
        plan.answered(offset, { rows: page.rows.length, total: page.total });
      })
      .catch(fail)
      .finally(() => {
        inFlight.delete(request);
        launch();
        wake();
      });
    inFlight.add(request);
  }

  /** After the first page with records, room for every record the count announces, at that page's id length. */
  function reserveRoom(): void {
    reserved = true;
    const total = plan.total;
    if (total === null) return;
    const expected = Math.min(total, limits.maxPages * limits.pageSize, MAX_RESERVED_IDS);
    seen.reserve(expected - seen.size, seen.idBytes / seen.size);
  }

  function read(page: RawPage): PulledPage<T> {
    received += page.rows.length;
    const records: T[] = [];
    const problems: RecordProblem[] = [];
    for (const raw of page.rows) {
      const { row, changed } = page.storable ? { row: raw, changed: false } : dropUnstorableCharacters(raw);
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
        if (changed) problems.push(unstorableCharacters(result.record.sourcedId));
      } else {
        problems.push({
          sourcedId: result.record.sourcedId,
          code: 'duplicate_record',
          message: 'The provider sent this record twice in one pull (its data changed while it was read); it was read once.',
        });
      }
    }
    if (!reserved && seen.size > 0) reserveRoom();
    return { records, problems, total: plan.total, received, filtered };
  }

  /** Takes the first waiting page and reads it; the raw page is not held while the reader works. */
  function readNext(): PulledPage<T> {
    const { page } = arrived.shift()!;
    // Room for one more waiting page: ask for the next one before this one is read.
    launch();
    return read(page);
  }

  try {
    launch();
    for (;;) {
      if (arrived.length > 0) {
        yield readNext();
        continue;
      }
      const failed = failure as { error: unknown } | null;
      if (failed) throw failed.error;
      if (plan.finished && inFlight.size === 0) break;
      await new Promise<void>((resolve) => {
        resume = resolve;
      });
      launch();
    }
  } finally {
    closed = true;
    stop.abort();
    if (pauseTimer) clearTimeout(pauseTimer);
    // No request outlives the pull.
    await Promise.allSettled([...inFlight]);
  }

  const total = plan.total;
  // Under a steady count, rows: a record listed twice is still one of the rows the count
  // announced. Under a moving one, distinct records: a repeat may stand for one that was skipped.
  // Rows left out on purpose (the non-school orgs of an unfiltered /orgs) were sent all the same.
  const delivered = plan.totalMoved ? seen.size + unidentified + filtered : received;
  if (total !== null && plan.totalTrusted && delivered < total) {
    throw incomplete(`The provider announced ${total} records but sent ${delivered}${plan.totalMoved ? ' distinct ones' : ''}.`);
  }
}

function unstorableCharacters(sourcedId: string): RecordProblem {
  return {
    sourcedId,
    code: 'invalid_characters',
    message: 'The record held NUL bytes or broken UTF-16 characters; they were dropped and the rest was read.',
  };
}
