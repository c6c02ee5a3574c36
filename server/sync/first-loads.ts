import type { FirstLoad, KeyedPerson, PersonKind, RosterStore } from '../store/roster-store';
import { identityName, type RecordIdentity } from './classify-person';
import { countingUnstaged, type StagedCount, type StagedRow, type StagingArea } from './staging-area';

/** Natural keys (or merged sourcedIds) handled per round trip after the pull. */
const PAGE = 1000;

/** One kind's open first load, as the stager uses it. */
export interface OpenLoad {
  /** The store's transaction of creates. */
  load: FirstLoad;
  /** The sync time every created row carries. */
  at: Date;
  /**
   * Whether this loaded record must be staged (as a `loaded` row without fields) so identity
   * resolution can see it: true when another record of this pull may share its natural key.
   * Every other loaded record is only counted.
   */
  mustStage(identity: RecordIdentity): boolean;
  /** Counts a loaded record that was not staged. */
  countUnstaged(disabled: boolean): void;
}

/**
 * The first loads of one user run (`RosterStore.startFirstLoad`): for each kind nobody holds yet,
 * people are created as their pages arrive, in one transaction per kind that becomes visible only
 * when the plan is applied. Anything left open when the run ends (it failed, was cancelled or
 * stopped) is rolled back, so the roster is exactly as if the run had staged everything.
 *
 * Staging every loaded record again (a thin row for identity resolution) cost a 100k-person first
 * sync 1.4 s of its 5 (bench/README.md). So a loaded record is staged only when its natural key
 * may have been seen before in this pull (`FirstSightings`); once the pull is complete, the first
 * record of each such key is staged from its row in the load (`stageFirstSightings`), and identity
 * resolution sees every record of every shared key, as on the staged path.
 */
export class FirstLoads {
  private open: Partial<Record<PersonKind, OpenLoad & { sightings: FirstSightings; unstaged: { created: number; disabled: number } }>> = {};

  constructor(
    /** Kinds to load (those nobody holds, on a run that writes). */
    private readonly kinds: ReadonlySet<PersonKind>,
    private readonly deps: { store: RosterStore; staging: StagingArea; now(): Date },
  ) {}

  /** Opens a load for every kind (none when the store offers no first loads); rolls back any still open. */
  async start(): Promise<Partial<Record<PersonKind, OpenLoad>>> {
    await this.rollback();
    const startLoad = this.deps.store.startFirstLoad?.bind(this.deps.store);
    if (!startLoad) return {};
    const at = this.deps.now();
    for (const kind of this.kinds) {
      const sightings = new FirstSightings();
      const unstaged = { created: 0, disabled: 0 };
      this.open[kind] = {
        load: await startLoad(kind),
        at,
        sightings,
        unstaged,
        mustStage: (identity) => identity.key !== null && sightings.mustStage(identity.key, identity.rank),
        countUnstaged(disabled) {
          unstaged.created += 1;
          if (disabled) unstaged.disabled += 1;
        },
      };
    }
    return { ...this.open };
  }

  /**
   * After the pull: stages the first record of every natural key a later record was staged for,
   * read back from the load (its rank from its sighting), so each shared key's records are all in
   * staging before identity resolution.
   */
  async stageFirstSightings(runId: number): Promise<void> {
    const { staging } = this.deps;
    for (const [kind, open] of this.entries()) {
      let after: string | null = null;
      for (;;) {
        const keys = await staging.naturalKeysWith(runId, kind, ['loaded'], after, PAGE);
        if (keys.length === 0) break;
        const people = await open.load.findByNaturalKey(keys);
        const staged = await staging.actionsOf(runId, kind, people.map((p) => p.sourcedId!));
        const firsts = people.filter((p) => !staged.has(p.sourcedId!)).map((p) => firstSighting(kind, p, open.sightings));
        await staging.insert(runId, firsts);
        for (const row of firsts) {
          open.unstaged.created -= 1;
          if (row.disabled) open.unstaged.disabled -= 1;
        }
        if (keys.length < PAGE) break;
        after = keys[keys.length - 1]!;
      }
      // The sightings are of no more use; the table is 8 bytes a person.
      open.sightings.clear();
    }
  }

  /** Identity resolution merged some loaded records into another person's row: their own rows go. */
  async takeBackMerged(runId: number): Promise<void> {
    for (const [kind, open] of this.entries()) {
      let after: string | null = null;
      for (;;) {
        const merged = await this.deps.staging.sourcedIdsWith(runId, kind, 'merge', after, PAGE);
        if (merged.length > 0) await open.load.remove(merged);
        if (merged.length < PAGE) break;
        after = merged[merged.length - 1]!;
      }
    }
  }

  /** The staging area with the loaded records that were never staged added to its counts. */
  countingUnstaged(staging: StagingArea): StagingArea {
    return countingUnstaged(staging, () =>
      this.entries().map(([kind, open]): StagedCount => ({ kind, action: 'loaded', count: open.unstaged.created, disabled: open.unstaged.disabled })),
    );
  }

  /** Makes every load visible (the plan is being applied). */
  async commit(): Promise<void> {
    for (const [, open] of this.entries()) await open.load.commit();
  }

  /**
   * Rolls back what is open (harmless after `commit`). Never throws, so the run's own error is the
   * one reported: a rollback fails only when its connection has broken, and the database rolls
   * back a broken connection's transaction by itself.
   */
  async rollback(): Promise<void> {
    const open = this.entries();
    this.open = {};
    await Promise.allSettled(open.map(([, o]) => o.load.rollback()));
  }

  private entries() {
    return Object.entries(this.open) as Array<[PersonKind, NonNullable<FirstLoads['open'][PersonKind]>]>;
  }
}

/** The staged row of a key's first record, rebuilt from its row in the load. */
function firstSighting(kind: PersonKind, person: KeyedPerson, sightings: FirstSightings): StagedRow {
  return {
    kind,
    sourcedId: person.sourcedId!,
    action: 'loaded',
    targetId: null,
    disabled: !person.enabled,
    payload: null,
    identity: sightings.identityOf(person),
  };
}

/** A rank no sighting could hold: the first record was staged at once. */
const STAGED = 0xffffffff;
const PRIMARY = 0x80000000;
const PLAIN_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Which natural keys a pull has seen, by a 32-bit hash of each in an open-addressing table (8
 * bytes a person, outside the JS heap), with the rank of the first record that had it. Two keys
 * sharing a hash only make a later record staged that need not have been (harmless); records of
 * one key always share a hash, so no shared key is missed. For every hash, only the first record
 * is unstaged, so the rank kept is its own.
 *
 * A rank (`primary|roleBeginDate`) fits in 32 bits when the date is empty or a plain
 * `YYYY-MM-DD`, as providers send it; a record with any other date is staged at once.
 */
export class FirstSightings {
  private hashes = new Uint32Array(1024);
  private ranks = new Uint32Array(1024);
  private used = 0;

  /** Notes a record's key; true when it must be staged (the key may have been seen, or its rank does not fit). */
  mustStage(key: string, rank: string): boolean {
    return this.sight(key, rank) !== 'first';
  }

  /**
   * Notes a record's key and says what it was: the `first` of its hash (the record may stay
   * unstaged), a `repeat` (an earlier record may share the key), or the first with a rank that
   * does not fit (`unranked`: stage it).
   */
  sight(key: string, rank: string): 'first' | 'repeat' | 'unranked' {
    if (this.used * 2 >= this.hashes.length) this.grow();
    const hash = hashKey(key);
    const slot = this.find(hash);
    if (this.hashes[slot] === hash) return 'repeat';
    const packed = packRank(rank);
    this.hashes[slot] = hash;
    this.ranks[slot] = packed ?? STAGED;
    this.used += 1;
    return packed === null ? 'unranked' : 'first';
  }

  /** The rank of the first record whose key had this key's hash (`0|` when none was noted). */
  firstRank(key: string): string {
    const hash = hashKey(key);
    const slot = this.find(hash);
    if (this.hashes[slot] !== hash || this.ranks[slot] === STAGED) return '0|';
    return unpackRank(this.ranks[slot]!);
  }

  /** The identity of a key's first record, rebuilt from its stored row and the rank its sighting kept. */
  identityOf(person: KeyedPerson): RecordIdentity {
    return { key: person.naturalKey, rank: this.firstRank(person.naturalKey), name: identityName(person.firstName, person.lastName) };
  }

  /** Frees the table. */
  clear(): void {
    this.hashes = new Uint32Array(0);
    this.ranks = new Uint32Array(0);
    this.used = 0;
  }

  /** The slot holding `hash`, or the empty slot where it would go. */
  private find(hash: number): number {
    const mask = this.hashes.length - 1;
    let slot = hash & mask;
    while (this.hashes[slot] !== 0 && this.hashes[slot] !== hash) slot = (slot + 1) & mask;
    return slot;
  }

  private grow(): void {
    const { hashes, ranks } = this;
    this.hashes = new Uint32Array(Math.max(1024, hashes.length * 2));
    this.ranks = new Uint32Array(this.hashes.length);
    for (let i = 0; i < hashes.length; i += 1) {
      if (hashes[i] === 0) continue;
      const slot = this.find(hashes[i]!);
      this.hashes[slot] = hashes[i]!;
      this.ranks[slot] = ranks[i]!;
    }
  }
}

/** FNV-1a over the key's UTF-16 units; never 0 (0 marks an empty slot). Exported for the collision test. */
export function hashKey(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) || 1;
}

/** `1|2024-08-15` → the primary bit and 20240815; null when the date is not a plain one. */
function packRank(rank: string): number | null {
  const bar = rank.indexOf('|');
  const primary = rank.slice(0, bar) === '1';
  const date = rank.slice(bar + 1);
  if (date === '') return primary ? PRIMARY : 0;
  const parts = PLAIN_DATE.exec(date);
  if (!parts) return null;
  const day = Number(`${parts[1]}${parts[2]}${parts[3]}`);
  // 0 would read back as no date.
  if (day === 0) return null;
  return ((primary ? PRIMARY : 0) | day) >>> 0;
}

function unpackRank(packed: number): string {
  const primary = (packed & PRIMARY) !== 0 ? '1' : '0';
  const date = packed & ~PRIMARY;
  if (date === 0) return `${primary}|`;
  const digits = String(date).padStart(8, '0');
  return `${primary}|${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6)}`;
}
