/**
 * An exact set of strings (sourcedIds) kept in flat byte and integer arrays rather than as JS
 * strings in a `Set`. A pull remembers every id it has seen to drop records sent twice; at a
 * million users a `Set` held ~50 MB of live strings that the garbage collector let grow to ~250 MB
 * of heap, which broke the memory target. Here the same ids cost their UTF-8 bytes plus about
 * 12 bytes each, outside the JS heap (bench/README.md).
 *
 * Open addressing with linear probing; a slot holds an entry number + 1 (0 = empty). Entries are
 * compared byte for byte, so unlike a hash-only filter it never mistakes two ids for one.
 *
 * Lower-case canonical UUIDs (ClassLink and Ed-Fi send them) are kept as their 16 bytes behind a
 * 0xFF marker, 17 bytes instead of 36: no UTF-8 text starts with 0xFF, so a packed id can never
 * equal another id's text, and the set stays exact.
 */
export class CompactIdSet {
  /** The ids' UTF-8 bytes, one after another. */
  private bytes = Buffer.allocUnsafe(64 * 1024);
  private usedBytes = 0;
  /** Where each entry's bytes start; the next entry's start (or `usedBytes`) is where they end. */
  private starts: Uint32Array = new Uint32Array(1024);
  private slots: Uint32Array = new Uint32Array(2048);
  private count = 0;

  /** How many distinct ids it holds. */
  get size(): number {
    return this.count;
  }

  /** Bytes the ids themselves take (without the index). */
  get idBytes(): number {
    return this.usedBytes;
  }

  /**
   * Makes room for `ids` more ids of about `bytesPerId` bytes each, so a pull that knows its size
   * (`X-Total-Count`) never grows the set: each growth copies it, and for that moment holds the
   * old arrays beside the new (at a million UUIDs the byte buffer alone is 16 MB beside 32).
   * The byte buffer is sized a quarter over the estimate: what is never written costs no memory.
   * Callers cap `ids` (a wrong count must not reserve gigabytes); a smaller set than reserved
   * only leaves the index sparser.
   */
  reserve(ids: number, bytesPerId: number): void {
    const more = Math.max(0, Math.floor(ids));
    const entries = this.count + more;
    if (entries > this.starts.length) {
      const starts = new Uint32Array(entries);
      starts.set(this.starts.subarray(0, this.count));
      this.starts = starts;
    }
    let slots = this.slots.length;
    while (entries * 2 > slots) slots *= 2;
    if (slots > this.slots.length) this.rehash(slots);
    this.reserveBytes(Math.ceil(more * bytesPerId * 1.25));
  }

  /** Adds an id; answers false when it was already there. */
  add(id: string): boolean {
    const uuid = id.length === 36 && UUID.test(id);
    const length = uuid ? PACKED_UUID_BYTES : Buffer.byteLength(id, 'utf8');
    this.reserveBytes(length);
    // Written past the end first: kept only if the id turns out to be new.
    if (uuid) {
      this.writePackedUuid(id, this.usedBytes);
    } else {
      this.bytes.write(id, this.usedBytes, length, 'utf8');
    }
    const hash = hashBytes(this.bytes, this.usedBytes, this.usedBytes + length);
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]!;
      if (entry === 0) {
        this.slots[slot] = this.append(length) + 1;
        if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2);
        return true;
      }
      if (this.sameBytes(entry - 1, length)) return false;
    }
  }

  /** The marker and the UUID's 16 bytes, read digit by digit (no string copies: this runs per record). */
  private writePackedUuid(id: string, at: number): void {
    this.bytes[at] = 0xff;
    let out = at + 1;
    for (let i = 0; i < 36; i += 2) {
      if (id.charCodeAt(i) === DASH) i += 1;
      this.bytes[out++] = (hexDigit(id.charCodeAt(i)) << 4) | hexDigit(id.charCodeAt(i + 1));
    }
  }

  /** Whether the entry's bytes equal the candidate written at `usedBytes`. */
  private sameBytes(entry: number, length: number): boolean {
    const start = this.starts[entry]!;
    const end = entry + 1 < this.count ? this.starts[entry + 1]! : this.usedBytes;
    if (end - start !== length) return false;
    return this.bytes.compare(this.bytes, this.usedBytes, this.usedBytes + length, start, end) === 0;
  }

  private append(length: number): number {
    if (this.count === this.starts.length) this.starts = grow(this.starts);
    const entry = this.count;
    this.starts[entry] = this.usedBytes;
    this.usedBytes += length;
    this.count += 1;
    return entry;
  }

  /** Makes room for `length` more bytes. */
  private reserveBytes(length: number): void {
    if (this.usedBytes + length <= this.bytes.length) return;
    // allocUnsafe leaves the new tail untouched, so it costs memory only once written.
    const larger = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.usedBytes + length));
    this.bytes.copy(larger, 0, 0, this.usedBytes);
    this.bytes = larger;
  }

  /** Moves the entries to `size` slots; hashes are recomputed from the bytes rather than kept (4 bytes an id). */
  private rehash(size: number): void {
    const slots = new Uint32Array(size);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.count; entry++) {
      const end = entry + 1 < this.count ? this.starts[entry + 1]! : this.usedBytes;
      let slot = hashBytes(this.bytes, this.starts[entry]!, end) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
  }
}

/** A lower-case canonical UUID (any version). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DASH = 0x2d;

/** The value of a lower-case hex digit's character code (the UUID test has checked it is one). */
function hexDigit(code: number): number {
  return code <= 0x39 ? code - 0x30 : code - 0x57;
}

/** The 0xFF marker and the 16 bytes. */
const PACKED_UUID_BYTES = 17;

function grow(array: Uint32Array): Uint32Array {
  const larger = new Uint32Array(array.length * 2);
  larger.set(array);
  return larger;
}

/** FNV-1a (32-bit) over a byte range: fast and spreads short ids well. */
function hashBytes(bytes: Buffer, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    hash ^= bytes[i]!;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
