import { CompactIdSet } from '../../server/providers/compact-id-set';

describe('CompactIdSet', () => {
  it('adds an id once and refuses it after', () => {
    const set = new CompactIdSet();
    expect(set.add('a')).toBe(true);
    expect(set.add('a')).toBe(false);
    expect(set.add('b')).toBe(true);
    expect(set.size).toBe(2);
  });

  it('tells apart ids that are prefixes of each other, empty, or differ only in non-ASCII characters', () => {
    const set = new CompactIdSet();
    const ids = ['', 'ab', 'abc', 'abc ', 'Zoë', 'Zoe', 'Zoë-学生', '👩‍🎓', 'ÅÅ', 'Å'];
    for (const id of ids) expect(set.add(id)).toBe(true);
    for (const id of ids) expect(set.add(id)).toBe(false);
    expect(set.size).toBe(ids.length);
  });

  it('keeps lower-case UUIDs in 17 bytes, exactly: never equal to their upper-case or braced spellings', () => {
    const set = new CompactIdSet();
    const uuid = (i: number) => `${i.toString(16).padStart(8, '0')}-0000-4abc-8def-${(i * 7919).toString(16).padStart(12, '0')}`;
    for (let i = 0; i < 1000; i++) expect(set.add(uuid(i))).toBe(true);
    expect(set.idBytes).toBe(1000 * 17);
    for (let i = 0; i < 1000; i++) expect(set.add(uuid(i))).toBe(false);
    const one = uuid(5);
    for (const other of [one.toUpperCase(), `{${one}}`, one.replace(/-/g, ''), one.slice(0, 35) + 'g']) expect(set.add(other)).toBe(true);
    expect(set.size).toBe(1004);
  });

  it('keeps 300,000 distinct ids exact across every growth (full 32-bit hash collisions included)', () => {
    // ~10 pairs of ids sharing a 32-bit hash are expected among 300k (birthday bound): byte
    // comparison must keep both, and refuse each when it comes again.
    const set = new CompactIdSet();
    const id = (i: number) => `${(i * 2654435761) % 4294967296}-${i.toString(36)}`;
    let added = 0;
    for (let i = 0; i < 300_000; i++) if (set.add(id(i))) added += 1;
    expect(added).toBe(300_000);
    expect(set.size).toBe(300_000);
    let refused = 0;
    for (let i = 0; i < 300_000; i++) if (!set.add(id(i))) refused += 1;
    expect(refused).toBe(300_000);
    expect(set.size).toBe(300_000);
  });

  it('takes ids longer than its first buffer', () => {
    const set = new CompactIdSet();
    const long = 'x'.repeat(200_000);
    expect(set.add(long)).toBe(true);
    expect(set.add(`${long}y`)).toBe(true);
    expect(set.add(long)).toBe(false);
    expect(set.size).toBe(2);
  });

  it('makes room ahead for a known count: the reserved room is never reallocated, and it stays exact in and past it', () => {
    const set = new CompactIdSet();
    const uuid = (i: number) => `${i.toString(16).padStart(8, '0')}-0000-4abc-8def-${(i * 7919).toString(16).padStart(12, '0')}`;
    for (let i = 0; i < 5_000; i++) set.add(uuid(i));
    set.reserve(95_000, 17);
    // What a reservation is for: no copy (old and new arrays side by side) while the pull runs.
    const arrays = (s: CompactIdSet) => {
      const inner = s as unknown as { bytes: Buffer; starts: Uint32Array; slots: Uint32Array };
      return [inner.bytes, inner.starts, inner.slots];
    };
    const reservedArrays = arrays(set);
    for (let i = 5_000; i < 100_000; i++) expect(set.add(uuid(i))).toBe(true);
    arrays(set).forEach((array, i) => expect(array).toBe(reservedArrays[i]));
    // A count that was too small: the set grows as before.
    for (let i = 100_000; i < 150_000; i++) expect(set.add(uuid(i))).toBe(true);
    for (let i = 0; i < 150_000; i++) expect(set.add(uuid(i))).toBe(false);
    expect(set.size).toBe(150_000);
    set.reserve(-10, 17);
    set.reserve(0, 0);
    expect(set.add(uuid(7))).toBe(false);
    expect(set.size).toBe(150_000);
  });
});
