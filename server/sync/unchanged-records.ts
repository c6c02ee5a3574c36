import type { PersonKind, RosterStore } from '../store/roster-store';
import type { RecordIdentity } from './classify-person';
import { FirstSightings } from './first-loads';
import { countingUnstaged, IMPORT_ACTIONS, type StagedCount, type StagedRow, type StagingArea } from './staging-area';

/** Natural keys handled per round trip after the pull. */
const PAGE = 1000;

/**
 * The unchanged records of a re-sync that were never staged. A nightly full sync of a district
 * whose roster barely changed is almost all unchanged records, and staging each one (a row per
 * person, written and read back, then deleted) made a no-change re-sync slower than the first
 * sync (bench/README.md). Nothing is written for an unchanged record; what staging told the rest
 * of the run about it is kept here instead:
 * - that its roster row was seen, for the missing-people check: a set of row ids, a bit each;
 * - how many there were, for the counts and the reconciliation;
 * - its identity, for identity resolution, but only where it matters: a record is staged after
 *   all when another record of this pull may share its natural key (`FirstSightings`, as for a
 *   first load), and after the pull the first record of every key a staged row holds is staged
 *   from its roster row (`stageSharedKeys`). So every record of every shared key is in staging,
 *   and a row whose record is still in the feed is never taken for a transfer.
 */
export class UnchangedRecords {
  private readonly tracked: Partial<Record<PersonKind, Tracked>> = {};

  constructor(
    /** Kinds whose unchanged records may stay unstaged (the kinds holding people). */
    kinds: Iterable<PersonKind>,
    private readonly deps: { store: RosterStore; staging: StagingArea },
  ) {
    for (const kind of kinds) this.tracked[kind] = { sightings: new FirstSightings(), rows: new RowIdSet(), count: 0, repeatedKeys: new Set() };
  }

  /**
   * Notes an imported record's natural key (every import of the pull, staged or not, so that a
   * record sharing a key with an earlier one is staged). True when an unchanged record with this
   * identity may stay unstaged: its kind is tracked and no earlier record may have had its key.
   */
  mayLeaveUnstaged(kind: PersonKind, identity: RecordIdentity): boolean {
    const kept = this.tracked[kind];
    if (!kept) return false;
    if (identity.key === null) return true;
    const sighting = kept.sightings.sight(identity.key, identity.rank);
    if (sighting === 'repeat' && kept.repeatedKeys) {
      kept.repeatedKeys.add(identity.key);
      if (kept.repeatedKeys.size > MAX_REPEATED_KEYS) kept.repeatedKeys = null;
    }
    return sighting === 'first';
  }

  /** Records an unchanged record left unstaged: its roster row was seen. */
  leftUnstaged(kind: PersonKind, rowId: number): void {
    const kept = this.tracked[kind]!;
    kept.rows.add(rowId);
    kept.count += 1;
  }

  /** Whether this roster row's record came unchanged and was left unstaged. */
  sawRow(kind: PersonKind, rowId: number): boolean {
    return this.tracked[kind]?.rows.has(rowId) ?? false;
  }

  /**
   * After the pull, before identity resolution: stages, as `unchanged`, every unstaged record whose
   * natural key a staged import row holds (its roster row holds the same key: the key is part of
   * the content hash), with the rank its sighting kept.
   */
  async stageSharedKeys(runId: number): Promise<void> {
    const { staging, store } = this.deps;
    for (const [kind, kept] of this.entries()) {
      // Nobody left unstaged, or no key noted twice: no staged record can share an unstaged row's
      // key. A 1 % delta of a million people looked up its 10,000 changed people's keys (0.8 s on
      // MariaDB) only to find none; now only repeated keys are looked up (`Tracked.repeatedKeys`).
      if (kept.count === 0 || kept.repeatedKeys?.size === 0) {
        kept.repeatedKeys = null;
        kept.sightings.clear();
        continue;
      }
      const repeated = kept.repeatedKeys;
      let after: string | null = null;
      for (;;) {
        const keys = await staging.naturalKeysWith(runId, kind, IMPORT_ACTIONS, after, PAGE);
        if (keys.length === 0) break;
        const shared = repeated ? keys.filter((key) => repeated.has(key)) : keys;
        const found = shared.length > 0 ? await store.findPeopleByNaturalKey(kind, shared) : [];
        const unstaged = found.filter((person) => person.sourcedId !== null && kept.rows.has(person.id));
        const rows: StagedRow[] = unstaged.map((person) => ({
          kind,
          sourcedId: person.sourcedId!,
          action: 'unchanged',
          targetId: person.id,
          disabled: false,
          payload: null,
          identity: kept.sightings.identityOf(person),
        }));
        await staging.insert(runId, rows);
        for (const person of unstaged) kept.rows.delete(person.id);
        kept.count -= rows.length;
        if (keys.length < PAGE) break;
        after = keys[keys.length - 1]!;
      }
      // Only the row set is needed from here on (the missing-people check).
      kept.sightings.clear();
      kept.repeatedKeys = null;
    }
  }

  /** The staging area with the unstaged unchanged records added to its counts. */
  countingUnstaged(staging: StagingArea): StagingArea {
    return countingUnstaged(staging, () => this.entries().map(([kind, kept]): StagedCount => ({ kind, action: 'unchanged', count: kept.count, disabled: 0 })));
  }

  private entries() {
    return Object.entries(this.tracked) as Array<[PersonKind, NonNullable<UnchangedRecords['tracked'][PersonKind]>]>;
  }
}

/** What is kept of one kind's unchanged records. */
interface Tracked {
  /** Every import's natural key, by hash, with its first record's rank. */
  sightings: FirstSightings;
  /** Roster rows whose record came unchanged and was left unstaged. */
  rows: RowIdSet;
  /** How many such rows. */
  count: number;
  /**
   * Keys noted more than once (`FirstSightings.sight` said `repeat`). A row left unstaged was its
   * key's first sighting, so a staged record sharing its key was a repeat: only these keys can find
   * one. Null past `MAX_REPEATED_KEYS` (a feed of many shared keys), when every staged key is looked up.
   */
  repeatedKeys: Set<string> | null;
}

/**
 * Most repeated keys remembered: a few hundred KB of strings. A feed sharing more is unusual enough
 * that looking up every staged key (as before) costs less than remembering them.
 */
const MAX_REPEATED_KEYS = 10_000;

/** Row ids per chunk of the set: 8 KB of bits, so a roster's dense ids cost a bit each. */
const CHUNK_IDS = 65_536;

/**
 * A set of roster row ids, one bit each in chunks allocated as ids reach them (auto-increment ids
 * are dense: a million rows in 16 chunks, 128 KB). Outside the JS heap, like the pull's id set.
 */
export class RowIdSet {
  private readonly chunks = new Map<number, Uint32Array>();

  add(id: number): void {
    const chunk = Math.floor(id / CHUNK_IDS);
    let bits = this.chunks.get(chunk);
    if (!bits) this.chunks.set(chunk, (bits = new Uint32Array(CHUNK_IDS / 32)));
    const offset = id - chunk * CHUNK_IDS;
    bits[offset >>> 5]! |= 1 << (offset & 31);
  }

  has(id: number): boolean {
    const chunk = Math.floor(id / CHUNK_IDS);
    const bits = this.chunks.get(chunk);
    const offset = id - chunk * CHUNK_IDS;
    return bits !== undefined && (bits[offset >>> 5]! & (1 << (offset & 31))) !== 0;
  }

  delete(id: number): void {
    const chunk = Math.floor(id / CHUNK_IDS);
    const bits = this.chunks.get(chunk);
    const offset = id - chunk * CHUNK_IDS;
    if (bits) bits[offset >>> 5]! &= ~(1 << (offset & 31));
  }
}
