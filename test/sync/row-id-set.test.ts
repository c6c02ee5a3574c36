import { RowIdSet } from '../../server/sync/unchanged-records';

describe('RowIdSet (roster rows an unchanged record was seen for)', () => {
  it('holds ids exactly across words, bit 31 and chunk boundaries, and forgets deleted ones', () => {
    const set = new RowIdSet();
    const ids = [0, 1, 31, 32, 63, 65_535, 65_536, 65_567, 2_000_000_000, 2 ** 40 + 3];
    for (const id of ids) set.add(id);
    for (const id of ids) expect(set.has(id)).toBe(true);
    for (const id of [2, 30, 33, 64, 65_534, 65_537, 1_999_999_999, 2 ** 40 + 2]) expect(set.has(id)).toBe(false);
    set.delete(31);
    set.delete(12_345);
    expect(set.has(31)).toBe(false);
    expect(set.has(32)).toBe(true);
    expect(set.has(12_345)).toBe(false);
  });

  it('holds every other id of a dense million exactly', () => {
    const set = new RowIdSet();
    for (let id = 1; id <= 1_000_000; id += 2) set.add(id);
    let held = 0;
    for (let id = 1; id <= 1_000_000; id++) if (set.has(id)) held += 1;
    expect(held).toBe(500_000);
    expect(set.has(999_999)).toBe(true);
    expect(set.has(1_000_000)).toBe(false);
  });
});
