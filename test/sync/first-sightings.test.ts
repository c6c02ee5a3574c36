import { FirstSightings, hashKey } from '../../server/sync/first-loads';

describe('FirstSightings: which loaded records identity resolution must see', () => {
  it('leaves a key\'s first record unstaged and stages every later one', () => {
    const sightings = new FirstSightings();
    expect(sightings.mustStage('S-1', '1|2025-08-15')).toBe(false);
    expect(sightings.mustStage('S-2', '0|')).toBe(false);
    expect(sightings.mustStage('S-1', '0|2025-09-01')).toBe(true);
    expect(sightings.mustStage('S-1', '0|2025-09-01')).toBe(true);
  });

  it('says why a record must be staged: its key was seen before, or its rank does not fit', () => {
    const sightings = new FirstSightings();
    expect(sightings.sight('S-1', '1|2025-08-15')).toBe('first');
    expect(sightings.sight('S-1', '0|')).toBe('repeat');
    expect(sightings.sight('S-2', '0|15 August 2025')).toBe('unranked');
    expect(sightings.sight('S-2', '0|')).toBe('repeat');
  });

  it('gives back the first record\'s rank exactly as it was sent', () => {
    const sightings = new FirstSightings();
    const ranks = { a: '1|2025-08-15', b: '0|', c: '1|', d: '0|1999-12-31', e: '1|0001-01-01' };
    for (const [key, rank] of Object.entries(ranks)) expect(sightings.mustStage(key, rank)).toBe(false);
    for (const [key, rank] of Object.entries(ranks)) {
      expect(sightings.mustStage(key, '0|')).toBe(true);
      expect(sightings.firstRank(key)).toBe(rank);
    }
  });

  it('stages at once a record whose date it cannot keep in 32 bits, so its rank is read from staging instead', () => {
    const sightings = new FirstSightings();
    for (const rank of ['1|2025-08-15T00:00:00Z', '0|15/08/2025', '1|0000-00-00', '0|2025-8-15']) {
      expect(sightings.mustStage(`key ${rank}`, rank)).toBe(true);
      // Every later record of the key is staged too.
      expect(sightings.mustStage(`key ${rank}`, '1|2025-08-15')).toBe(true);
    }
  });

  it('keeps every key as the table grows past its first size', () => {
    const sightings = new FirstSightings();
    const rankOf = (i: number) => `${i % 2}|2024-01-${String((i % 28) + 1).padStart(2, '0')}`;
    const wronglyStaged: number[] = [];
    const lost: number[] = [];
    for (let i = 0; i < 50_000; i += 1) if (sightings.mustStage(`S${i}`, rankOf(i))) wronglyStaged.push(i);
    for (let i = 0; i < 50_000; i += 1) {
      if (!sightings.mustStage(`S${i}`, '0|') || sightings.firstRank(`S${i}`) !== rankOf(i)) lost.push(i);
    }
    // A shared hash may stage a first record (about one in 100,000 pairs); a lost key never.
    expect(wronglyStaged.length).toBeLessThan(5);
    expect(lost.filter((i) => !wronglyStaged.includes(i))).toEqual([]);
  });

  it('two keys sharing a hash only stage the second key\'s records: the first record of the hash keeps its rank', () => {
    // Find two keys with one 32-bit hash (the birthday bound: a few 100,000 tries).
    const seen = new Map<number, string>();
    let pair: [string, string] | null = null;
    for (let i = 0; !pair; i += 1) {
      const key = `K${i}`;
      const other = seen.get(hashKey(key));
      if (other !== undefined) pair = [other, key];
      seen.set(hashKey(key), key);
    }
    const [first, second] = pair;
    const sightings = new FirstSightings();
    expect(sightings.mustStage(first, '1|2025-08-15')).toBe(false);
    // Harmless: staged though no record shared its key.
    expect(sightings.mustStage(second, '0|')).toBe(true);
    expect(sightings.mustStage(first, '0|')).toBe(true);
    expect(sightings.firstRank(first)).toBe('1|2025-08-15');
  });
});
