import { CompactIdSet } from '../../server/providers/compact-id-set';
import { normalizeOrg, normalizePerson } from '../../server/providers/normalize';
import { pullPages, type PageFetchContext, type PageFetcher, type RawPage } from '../../server/providers/paging';
import type { NormalizedPerson } from '../../server/providers/types';
import { collect, pullError } from './provider-helpers';

/** A fake provider list: `rows` people, pages silently capped at `cap`, `X-Total-Count` shown as `total`. */
function fakeList(rows: number, options: { cap?: number; total?: (real: number) => number | null } = {}) {
  const people = Array.from({ length: rows }, (_, i) => ({ sourcedId: `p${String(i).padStart(4, '0')}` }));
  const calls: number[] = [];
  const fetch = async (offset: number, limit: number): Promise<RawPage> => {
    calls.push(offset);
    const size = Math.min(limit, options.cap ?? limit);
    return { rows: people.slice(offset, offset + size), total: options.total ? options.total(rows) : rows };
  };
  return { people, calls, fetch };
}

const pull = (fetch: (offset: number, limit: number) => Promise<RawPage>, pageSize = 100, maxPages = 1000, concurrency = 1) =>
  pullPages<NormalizedPerson>(fetch, normalizePerson, { pageSize, maxPages, concurrency });

describe.each([1, 4])('paging, concurrency %i: as strict as a serial read', (concurrency) => {
  const pullAt = (fetch: (offset: number, limit: number) => Promise<RawPage>, pageSize = 100, maxPages = 1000) =>
    pull(fetch, pageSize, maxPages, concurrency);

  it('reads every record once through a silent page cap, with or without a count', async () => {
    for (const total of [undefined, () => null]) {
      const list = fakeList(250, { cap: 40, total });
      const { records, pages } = await collect(pullAt(list.fetch, 100));
      expect(records.map((r) => r.sourcedId).sort()).toEqual(list.people.map((p) => p.sourcedId));
      expect(pages[pages.length - 1]!.received).toBe(250);
    }
  });

  it('reports a count that lies high as an incomplete pull', async () => {
    const list = fakeList(120, { total: (real) => real + 5 });
    await expect(pullError(pullAt(list.fetch, 50))).resolves.toMatchObject({ code: 'incomplete_pull' });
  });

  it('reads past a count that lies low instead of ending early', async () => {
    const list = fakeList(230, { total: (real) => real - 30 });
    expect((await collect(pullAt(list.fetch, 100))).records).toHaveLength(230);
  });

  it('calls the pull incomplete when the page cap is hit', async () => {
    const list = fakeList(500, { cap: 10, total: () => null });
    await expect(pullError(pullAt(list.fetch, 100, 5))).resolves.toMatchObject({ code: 'incomplete_pull' });
  });

  it('notices data shifting under the offsets: a duplicate noted, the pull incomplete', async () => {
    // Every request past the first inserts a record before everyone, as the sandbox's shiftingData fault does.
    let people = Array.from({ length: 300 }, (_, i) => ({ sourcedId: `p${String(i).padStart(4, '0')}` }));
    let inserted = 0;
    const fetch = async (offset: number, limit: number): Promise<RawPage> => {
      if (offset > 0) people = [{ sourcedId: `n${String(inserted++).padStart(4, '0')}` }, ...people];
      await new Promise((resolve) => setTimeout(resolve, (offset / limit) % 3));
      return { rows: people.slice(offset, offset + limit), total: people.length };
    };
    let duplicates = 0;
    const error = await (async () => {
      try {
        for await (const page of pullAt(fetch, 50)) duplicates += page.problems.filter((p) => p.code === 'duplicate_record').length;
      } catch (err) {
        return err as { code: string };
      }
      return null;
    })();
    expect(error).toMatchObject({ code: 'incomplete_pull' });
    expect(duplicates).toBeGreaterThan(0);
  });

  it('treats an empty page followed by records (a hole in mid-feed, no count) as incomplete', async () => {
    const list = fakeList(300, { total: () => null });
    const holey = async (offset: number, limit: number): Promise<RawPage> => (offset === 100 ? { rows: [], total: null } : list.fetch(offset, limit));
    const error = await pullError(pullAt(holey, 50));
    expect(error).toMatchObject({ code: 'incomplete_pull' });
    expect(error.message).toMatch(/empty page at offset 100/);
  });
});

describe('the seen-set of a pull', () => {
  afterEach(() => jest.restoreAllMocks());

  it('makes room once for the records X-Total-Count announces, and no more than the page cap or 2M on a count that claims more', async () => {
    const reserve = jest.spyOn(CompactIdSet.prototype, 'reserve');
    const honest = fakeList(5000);
    expect((await collect(pull(honest.fetch, 100))).records).toHaveLength(5000);
    // After the first page: room for the 4,900 still to come, at that page's id length (5 bytes).
    expect(reserve.mock.calls).toEqual([[4900, 5]]);

    // A count no pull could reach: no more than the page cap allows (1,000 pages of 100), and never over 2M.
    const lying = fakeList(300, { total: () => 1e12 });
    for (const [maxPages, room] of [[1000, 100_000], [100_000, 2_000_000]] as const) {
      reserve.mockClear();
      await expect(pullError(pull(lying.fetch, 100, maxPages))).resolves.toMatchObject({ code: 'incomplete_pull' });
      expect(reserve.mock.calls).toEqual([[room - 100, 5]]);
    }
  });
});

/** A list whose pages answer after `delay(offset)` ms, noting requests in flight and arrival order. */
function timedList(rows: number, delay: (offset: number) => number, options: { cap?: number; total?: boolean; pageNotes?: (offset: number) => Partial<RawPage> } = {}) {
  const people = Array.from({ length: rows }, (_, i) => ({ sourcedId: `p${String(i).padStart(6, '0')}` }));
  const stats = { inFlight: 0, maxInFlight: 0, starts: [] as Array<{ offset: number; at: number; inFlight: number }>, arrivals: [] as number[] };
  const fetch = async (offset: number, limit: number, context?: PageFetchContext): Promise<RawPage> => {
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    stats.starts.push({ offset, at: performance.now(), inFlight: stats.inFlight });
    try {
      await new Promise((resolve) => setTimeout(resolve, delay(offset)));
      const notes = options.pageNotes?.(offset) ?? {};
      if (notes.rows === undefined && context && refusals.has(offset)) {
        refusals.delete(offset);
        context.onRefused(refusalWait);
      }
      const size = Math.min(limit, options.cap ?? limit);
      stats.arrivals.push(offset);
      return { rows: people.slice(offset, offset + size), total: options.total === false ? null : rows, ...notes };
    } finally {
      stats.inFlight -= 1;
    }
  };
  const refusals = new Set<number>();
  let refusalWait: number | null = null;
  /** The page at `offset` reports a 429 on its way (as the HTTP client does before retrying). */
  const refuseAt = (offsets: number[], retryAfterMs: number | null) => {
    for (const offset of offsets) refusals.add(offset);
    refusalWait = retryAfterMs;
  };
  return { people, stats, fetch, refuseAt };
}

const pullConcurrently = (fetch: PageFetcher, concurrency: number, pageSize = 100, maxPages = 1000) =>
  pullPages<NormalizedPerson>(fetch, normalizePerson, { pageSize, maxPages, concurrency });

describe('paging concurrently', () => {
  it('keeps up to `concurrency` requests in flight and reads every record once, whatever the arrival order', async () => {
    // Every third page is slow, so pages arrive out of order.
    const list = timedList(2000, (offset) => ((offset / 100) % 3 === 0 ? 25 : 2));
    const { records } = await collect(pullConcurrently(list.fetch, 4));
    expect(records.map((r) => r.sourcedId)).toHaveLength(2000);
    expect(new Set(records.map((r) => r.sourcedId)).size).toBe(2000);
    expect(list.stats.maxInFlight).toBe(4);
    expect(list.stats.arrivals).not.toEqual([...list.stats.arrivals].sort((a, b) => a - b));
    // With a count: exactly the 20 pages, each once, and the one request confirming a count reached on a full page.
    expect([...list.stats.starts.map((s) => s.offset)].sort((a, b) => a - b)).toEqual(Array.from({ length: 21 }, (_, i) => i * 100));
  });

  it('asks for the first page alone, then schedules offsets at the page size the provider really sends', async () => {
    const list = timedList(500, () => 1, { cap: 40 });
    const { records } = await collect(pullConcurrently(list.fetch, 4));
    expect(records).toHaveLength(500);
    expect(list.stats.starts[0]).toMatchObject({ offset: 0, inFlight: 1 });
    expect(list.stats.starts[1]!.at).toBeGreaterThanOrEqual(list.stats.starts[0]!.at);
    expect(list.stats.starts.map((s) => s.offset).every((offset) => offset % 40 === 0)).toBe(true);
  });

  it('without a count, reads ahead a bounded number of pages and stops at a confirmed empty page', async () => {
    const list = timedList(950, () => 2, { total: false });
    const { records } = await collect(pullConcurrently(list.fetch, 3));
    expect(records).toHaveLength(950);
    expect(list.stats.maxInFlight).toBeLessThanOrEqual(3);
    // Ten pages of rows, the empty page at 1000 and its confirmation; a few read ahead at most.
    const offsets = list.stats.starts.map((s) => s.offset);
    expect(offsets).toEqual(expect.arrayContaining([900, 950, 1000]));
    expect(Math.max(...offsets)).toBeLessThanOrEqual(950 + 4 * 100);
  });

  it('holds requests back while the reader is slower than the network', async () => {
    const list = timedList(2950, () => 1);
    let read = 0;
    let aheadMax = 0;
    for await (const _page of pullConcurrently(list.fetch, 4)) {
      read += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      aheadMax = Math.max(aheadMax, list.stats.starts.length - read);
    }
    expect(list.stats.starts.length).toBe(30);
    // Never more requested ahead of the reader than 4 in flight plus the one arrived and waiting.
    expect(aheadMax).toBeGreaterThan(1);
    expect(aheadMax).toBeLessThanOrEqual(5);
  });

  it('halves the concurrency for the rest of the pull on a 429 or 503', async () => {
    const list = timedList(4000, () => 5);
    list.refuseAt([200], null);
    await collect(pullConcurrently(list.fetch, 4));
    const refusedAt = list.stats.starts.findIndex((s) => s.offset === 200);
    const after = list.stats.starts.slice(refusedAt + 4);
    expect(list.stats.maxInFlight).toBe(4);
    expect(Math.max(...after.map((s) => s.inFlight))).toBe(2);
  });

  it('halves once per burst: requests refused together count as one refusal', async () => {
    const list = timedList(4000, () => 5);
    // The pages at 100..400 are in flight together: four refusals, one halving (4 → 2, not 4 → 1).
    list.refuseAt([100, 200, 300, 400], null);
    await collect(pullConcurrently(list.fetch, 4));
    const late = list.stats.starts.slice(-10);
    expect(Math.max(...late.map((s) => s.inFlight))).toBe(2);
  });

  it('honours Retry-After: no new request starts before it has passed', async () => {
    const list = timedList(1200, () => 2);
    list.refuseAt([300], 150);
    await collect(pullConcurrently(list.fetch, 4));
    const arrival = list.stats.starts.find((s) => s.offset === 300)!;
    const later = list.stats.starts.filter((s) => s.offset > 700);
    expect(later.length).toBeGreaterThan(0);
    for (const start of later) expect(start.at - arrival.at).toBeGreaterThanOrEqual(150);
  });

  it('slows down when RateLimit-Remaining runs low, before the provider refuses', async () => {
    // From the page at 500 on, the provider says only 2 requests are left in its window.
    const list = timedList(3000, () => 3, { pageNotes: (offset) => (offset >= 500 ? { rateLimit: { remaining: 2, resetMs: null } } : {}) });
    await collect(pullConcurrently(list.fetch, 4));
    const late = list.stats.starts.slice(-10);
    expect(list.stats.maxInFlight).toBe(4);
    expect(Math.max(...late.map((s) => s.inFlight))).toBe(1);
  });

  it('starts nothing, and leaves nothing in flight, once the reader stops early', async () => {
    const list = timedList(5000, (offset) => (offset === 0 ? 1 : 15));
    for await (const _page of pullConcurrently(list.fetch, 4)) break;
    const started = list.stats.starts.length;
    expect(list.stats.inFlight).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(list.stats.starts.length).toBe(started);
  });

  it('aborts the other requests and fails the pull when one page fails', async () => {
    const signals: AbortSignal[] = [];
    const fetch: PageFetcher = async (offset, limit, context) => {
      signals.push(context.signal);
      if (offset === 300) throw Object.assign(new Error('boom'), { code: 'server_error' });
      await new Promise((resolve) => setTimeout(resolve, offset === 0 ? 0 : 20));
      return { rows: Array.from({ length: limit }, (_, i) => ({ sourcedId: `x${offset + i}` })), total: 2000 };
    };
    await expect(pullError(pullConcurrently(fetch, 4))).resolves.toMatchObject({ code: 'server_error' });
    expect(signals.every((signal) => signal.aborted)).toBe(true);
  });
});

describe('paging', () => {
  it('counts rows it leaves out on purpose towards X-Total-Count (the unfiltered /orgs fallback with districts and departments)', async () => {
    const orgs = Array.from({ length: 30 }, (_, i) => ({ sourcedId: `o${i}`, name: `Org ${i}`, type: i % 3 === 0 ? 'department' : 'school' }));
    const fetch = async (offset: number, limit: number): Promise<RawPage> => ({ rows: orgs.slice(offset, offset + limit), total: orgs.length });
    const schoolsOnly = (row: unknown) => {
      const result = normalizeOrg(row);
      return 'record' in result && result.record.type !== 'school' ? null : result;
    };
    const { records, pages } = await collect(pullPages(fetch, schoolsOnly, { pageSize: 7, maxPages: 100 }));
    expect(records).toHaveLength(20);
    expect(pages[pages.length - 1]!.filtered).toBe(10);
  });

  it('advances by rows received, so a silent page cap loses nothing', async () => {
    const list = fakeList(250, { cap: 40 });
    const { records, pages } = await collect(pull(list.fetch, 100));
    expect(records.map((r) => r.sourcedId)).toEqual(list.people.map((p) => p.sourcedId));
    expect(list.calls.slice(0, 3)).toEqual([0, 40, 80]);
    expect(pages[pages.length - 1]!.received).toBe(250);
  });

  it('does not stop on a short page when no count is sent; stops on an empty page confirmed by the next', async () => {
    const list = fakeList(95, { cap: 30, total: () => null });
    const { records } = await collect(pull(list.fetch, 100));
    expect(records).toHaveLength(95);
    // The first page teaches the provider's page size (30); the empty page at 95 is confirmed at 125.
    expect(list.calls).toEqual([0, 30, 60, 90, 95, 125]);
  });

  it('an empty page mid-list without a count is not the end: the page past it has rows, so the pull is incomplete', async () => {
    const people = Array.from({ length: 9 }, (_, i) => ({ sourcedId: `p${i}` }));
    const pages: RawPage[] = [{ rows: people.slice(0, 3), total: null }, { rows: [], total: null }, { rows: people.slice(6, 9), total: null }];
    const error = await pullError(pull(async (offset) => pages[offset / 3] ?? { rows: [], total: null }, 3));
    expect(error).toMatchObject({ code: 'incomplete_pull' });
    expect(error.message).toMatch(/empty page at offset 3/);
  });

  it('stops at X-Total-Count reached by a short page, without an extra request', async () => {
    const list = fakeList(150);
    await collect(pull(list.fetch, 100));
    expect(list.calls).toEqual([0, 100]);
  });

  it('reports a count that lies high as an incomplete pull, after yielding what came', async () => {
    const list = fakeList(120, { total: (real) => real + 5 });
    const error = await pullError(pull(list.fetch, 50));
    expect(error).toMatchObject({ code: 'incomplete_pull' });
    expect(error.message).toMatch(/announced 125 .* sent 120/);
  });

  it('reads past a count that lies low instead of ending early', async () => {
    const list = fakeList(230, { total: (real) => real - 30 });
    const { records } = await collect(pull(list.fetch, 100));
    expect(records).toHaveLength(230);
  });

  it('confirms an exact count reached on a full page with one more request', async () => {
    const list = fakeList(200);
    const { records } = await collect(pull(list.fetch, 100));
    expect(records).toHaveLength(200);
    expect(list.calls).toEqual([0, 100, 200]);
  });

  it('calls the pull incomplete when the page cap is hit', async () => {
    const list = fakeList(500, { cap: 10, total: () => null });
    await expect(pullError(pull(list.fetch, 100, 5))).resolves.toMatchObject({ code: 'incomplete_pull' });
  });

  it('a record listed twice under a steady X-Total-Count is read once and counts as a row: the pull completes', async () => {
    const people = Array.from({ length: 5 }, (_, i) => ({ sourcedId: `p${i}` }));
    const pages: RawPage[] = [
      { rows: people.slice(0, 3), total: 6 },
      { rows: [people[2], people[3], people[4]], total: 6 },
      { rows: [], total: 6 },
    ];
    const { records, pages: pulled } = await collect(pull(async (offset) => pages[offset / 3]!, 3));
    expect(records.map((r) => r.sourcedId)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    expect(pulled.flatMap((page) => page.problems).map((p) => p.code)).toEqual(['duplicate_record']);
  });

  it('yields a record shifted into the next page once, and notices the one it missed (the count moved)', async () => {
    // Page 2 repeats the last row of page 1 (a record was inserted before the offset, the count
    // went up): one is never seen.
    const people = Array.from({ length: 7 }, (_, i) => ({ sourcedId: `p${i}` }));
    const pages: RawPage[] = [
      { rows: people.slice(0, 3), total: 6 },
      { rows: [people[2], people[3], people[4]], total: 7 },
      { rows: [people[5]], total: 7 },
      { rows: [], total: 7 },
    ];
    const seen: string[] = [];
    let duplicates = 0;
    const error = await (async () => {
      try {
        for await (const page of pull(async (offset) => pages[offset / 3]!, 3)) {
          seen.push(...page.records.map((r) => r.sourcedId));
          duplicates += page.problems.filter((p) => p.code === 'duplicate_record').length;
        }
      } catch (err) {
        return err as { code: string };
      }
      return null;
    })();
    expect(seen).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
    expect(duplicates).toBe(1);
    expect(error).toMatchObject({ code: 'incomplete_pull' });
  });

  it('puts broken rows in problems and still counts them toward the total', async () => {
    const fetch = async (offset: number): Promise<RawPage> =>
      offset === 0 ? { rows: [{ sourcedId: 'a' }, 'garbage', { name: 'no id' }], total: 3 } : { rows: [], total: 3 };
    const { pages } = await collect(pull(fetch, 10));
    expect(pages[0]!.records).toHaveLength(1);
    expect(pages[0]!.problems.map((p) => p.code)).toEqual(['unreadable_record', 'missing_sourced_id']);
  });
});
