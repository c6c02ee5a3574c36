import { normalizeOrg, normalizePerson } from '../../server/providers/normalize';
import { pullPages, type RawPage } from '../../server/providers/paging';
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

const pull = (fetch: (offset: number, limit: number) => Promise<RawPage>, pageSize = 100, maxPages = 1000) =>
  pullPages<NormalizedPerson>(fetch, normalizePerson, { pageSize, maxPages });

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

  it('does not stop on a short page when no count is sent; stops on the empty page', async () => {
    const list = fakeList(95, { cap: 30, total: () => null });
    const { records } = await collect(pull(list.fetch, 100));
    expect(records).toHaveLength(95);
    expect(list.calls).toEqual([0, 30, 60, 90, 95]);
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

  it('yields a record shifted into the next page once, and notices the one it missed', async () => {
    // Page 2 repeats the last row of page 1 (a record was inserted before the offset): one is never seen.
    const people = Array.from({ length: 6 }, (_, i) => ({ sourcedId: `p${i}` }));
    const pages: RawPage[] = [
      { rows: people.slice(0, 3), total: 6 },
      { rows: [people[2], people[3], people[4]], total: 6 },
      { rows: [], total: 6 },
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
    expect(seen).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
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
