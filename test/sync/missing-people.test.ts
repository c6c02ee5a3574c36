import type { ActivePerson, RosterStore } from '../../server/store/roster-store';
import { stageMissingPeople } from '../../server/sync/plan-run';
import type { StagedRow, StagingArea } from '../../server/sync/staging-area';

/** Active students with ids 1..size (25,000 by default), in a store that notes which pages it was asked for. */
function fakeStore(withIds: boolean, size = 25_000) {
  const people: ActivePerson[] = Array.from({ length: size }, (_, i) => ({ id: i + 1, sourcedId: `s${i + 1}`, name: `Student ${i + 1}`, number: null, buildingId: 7 }));
  const wholePages: Array<number | null> = [];
  const idPages: Array<number | null> = [];
  const page = (afterId: number | null, limit: number) => people.filter((p) => p.id > (afterId ?? 0)).slice(0, limit);
  const store = {
    async listActivePeople(_kind: string, afterId: number | null, limit: number) {
      wholePages.push(afterId);
      return page(afterId, limit);
    },
    ...(withIds
      ? {
          async listActivePersonIds(_kind: string, afterId: number | null, limit: number) {
            idPages.push(afterId);
            return page(afterId, limit).map((p) => p.id);
          },
        }
      : {}),
  } as unknown as RosterStore;
  return { store, wholePages, idPages };
}

/** Staging that saw no sourcedId and keeps what is inserted. */
function fakeStaging() {
  const inserted: StagedRow[] = [];
  const staging = {
    async seen() {
      return new Set<string>();
    },
    async insert(_runId: number, rows: StagedRow[]) {
      inserted.push(...rows);
    },
  } as unknown as StagingArea;
  return { staging, inserted };
}

describe('the missing-people check', () => {
  // Every row was seen unchanged except these (the pull did not show them).
  const notSeen = new Set([15_500, 25_000]);
  const sawRow = (id: number) => !notSeen.has(id);

  it('reads ids first, ten pages\' worth a query, and people whole only from a row not seen unchanged', async () => {
    const { store, wholePages, idPages } = fakeStore(true);
    const { staging, inserted } = fakeStaging();
    await stageMissingPeople(store, staging, 1, 'students', sawRow);
    // 1–10,000 all seen; 15,500 is not, so people are read whole from just before it, and the page
    // after a page that held a row not seen is read whole at once; then ids again, up to 25,000.
    expect(idPages).toEqual([null, 10_000, 17_499]);
    expect(wholePages).toEqual([15_499, 16_499, 24_999]);
    expect(inserted.map((row) => [row.targetId, row.action, row.payload])).toEqual([
      [15_500, 'missing', { name: 'Student 15500', number: null, buildingId: 7 }],
      [25_000, 'missing', { name: 'Student 25000', number: null, buildingId: 7 }],
    ]);
  });

  it('goes back to ids after a page read whole that held only rows seen unchanged', async () => {
    const { store, wholePages, idPages } = fakeStore(true, 45_000);
    const { staging, inserted } = fakeStaging();
    await stageMissingPeople(store, staging, 1, 'students', (id) => id !== 1500);
    expect(idPages).toEqual([null, 3499, 13_499, 23_499, 33_499, 43_499]);
    expect(wholePages).toEqual([1499, 2499]);
    expect(inserted.map((row) => row.targetId)).toEqual([1500]);
  });

  it('finds the same people missing with a store that cannot list ids alone', async () => {
    const { store, wholePages } = fakeStore(false);
    const { staging, inserted } = fakeStaging();
    await stageMissingPeople(store, staging, 1, 'students', sawRow);
    expect(wholePages).toEqual(Array.from({ length: 26 }, (_, i) => (i === 0 ? null : i * 1000)));
    expect(inserted.map((row) => row.targetId)).toEqual([15_500, 25_000]);
  });

  it('reads no person whole when every active row was seen unchanged', async () => {
    const { store, wholePages, idPages } = fakeStore(true);
    const { staging, inserted } = fakeStaging();
    await stageMissingPeople(store, staging, 1, 'students', () => true);
    expect(idPages).toEqual([null, 10_000, 20_000]);
    expect(wholePages).toEqual([]);
    expect(inserted).toEqual([]);
  });
});
