import { hintsFor } from './hints';
import { ProviderError } from './types';

/** A page to ask for: `limit` rows from `offset`. */
export interface PageRequest {
  offset: number;
  limit: number;
}

/** What the plan is told about an answered page. */
export interface PageAnswer {
  /** Rows the page held. */
  rows: number;
  /** `X-Total-Count` of that answer, when sent. */
  total: number | null;
}

/** Settings of one plan. */
export interface OffsetPlanLimits {
  /** Rows asked for on the first page (providers may silently send fewer). */
  pageSize: number;
  /** Most pages the walk reads before the pull is called incomplete. */
  maxPages: number;
  /** Pages asked for ahead of the walk when the end is not known (no trusted `X-Total-Count`). */
  readAhead: number;
}

interface Slot {
  limit: number;
  answer?: PageAnswer;
}

/**
 * Which offsets a pull reads, and when it is complete (oneroster.md, "Paging"). Pages may be asked
 * for ahead and answered in any order, but the decisions are the serial reader's, taken page by
 * page in offset order (the "walk"):
 * - the offset advances by the rows actually received, so a provider capping `limit` silently
 *   loses nothing; the first page teaches the provider's effective page size (`step`), and pages
 *   ahead are asked for at that size, so they never overlap;
 * - a short page is never the end alone; the end is an empty page, or `X-Total-Count` reached by
 *   a short page (a full page that reaches it is followed by one confirming request; more rows than
 *   announced mean the count is wrong, and the walk reads on to an empty page);
 * - without a trusted count, an empty page is confirmed by the page after it: rows past an empty
 *   page mean a hole in mid-feed, and the pull is incomplete rather than silently short;
 * - the page cap counts pages walked, so reading ahead never trips it earlier than a serial read.
 *
 * Holds numbers only (no records), so it is cheap to test with any arrival order.
 */
export class OffsetPlan {
  private readonly slots = new Map<number, Slot>();
  private step: number | null = null;
  /** The offset the walk reads next (rows received in order so far). */
  private cursor = 0;
  /** The end of the highest range asked for. */
  private frontier = 0;
  private walked = 0;
  private latestTotal: number | null = null;
  /** Whether `X-Total-Count` changed between pages: records moved under the offsets. */
  private moved = false;
  private trustTotal = true;
  private confirming = false;
  /** Offset of the empty page that ended the walk, while the page after it is awaited. */
  private emptyAt: number | null = null;
  private probeAt: number | null = null;
  private ended = false;

  constructor(private readonly limits: OffsetPlanLimits) {}

  /** `X-Total-Count` of the page the walk read last (the serial reader's view of the count). */
  get total(): number | null {
    return this.latestTotal;
  }

  /** True when `X-Total-Count` changed during the walk (so a repeated record may stand for a skipped one). */
  get totalMoved(): boolean {
    return this.moved;
  }

  /** True when the count was shown wrong (more rows than announced), so it proves nothing. */
  get totalTrusted(): boolean {
    return this.trustTotal;
  }

  /** True once the walk reached the end of the list. */
  get finished(): boolean {
    return this.ended;
  }

  /**
   * The next page worth asking for, or null for none now. The page the walk needs comes first;
   * then pages ahead, up to `X-Total-Count` when it is trusted, else `readAhead` pages past the walk.
   * Throws `incomplete_pull` when the walk needs a page past the page cap.
   */
  next(): PageRequest | null {
    if (this.ended) return null;
    const needed = this.probeAt ?? this.cursor;
    if (!this.slots.has(needed)) {
      if (this.probeAt === null && this.walked >= this.limits.maxPages) {
        throw incomplete(`The pull stopped after ${this.limits.maxPages} pages (${this.cursor} records) without reaching the end of the list.`);
      }
      return this.ask(needed, this.gapLimit(needed));
    }
    // Nothing is asked ahead before the first page has taught the page size, or once an empty page is being confirmed.
    if (this.step === null || this.emptyAt !== null || this.slots.size >= this.limits.maxPages) return null;
    const start = Math.max(this.frontier, this.cursor);
    const bound = this.trustTotal && this.latestTotal !== null ? this.latestTotal : this.cursor + this.limits.readAhead * this.step;
    if (start >= bound || this.slots.has(start)) return null;
    return this.ask(start, this.step);
  }

  /** Records an answer (in any order) and walks on as far as answers allow. Throws `incomplete_pull` for a hole in mid-feed. */
  answered(offset: number, answer: PageAnswer): void {
    const slot = this.slots.get(offset);
    if (!slot || slot.answer) throw new Error(`offset plan: no open request at offset ${offset}`);
    slot.answer = answer;
    if (this.step === null && offset === 0 && answer.rows > 0) this.step = answer.rows;
    // A short page ends where its rows end: pages ahead start there, not where it was asked to end.
    if (answer.rows < slot.limit) this.frontier = this.highestEnd();
    this.walk();
    this.checkNothingPastTheEnd();
  }

  private walk(): void {
    while (!this.ended) {
      if (this.probeAt !== null) {
        const probe = this.slots.get(this.probeAt)?.answer;
        if (!probe) return;
        if (probe.rows > 0) throw holeInFeed(this.emptyAt!);
        this.ended = true;
        return;
      }
      const slot = this.slots.get(this.cursor);
      const page = slot?.answer;
      if (!slot || !page) return;
      this.walked += 1;
      if (page.total !== null) {
        if (this.latestTotal !== null && page.total !== this.latestTotal) this.moved = true;
        this.latestTotal = page.total;
      }
      if (page.rows === 0) {
        // A trusted count says where the list ends; without one, the page after confirms it.
        if (this.trustTotal && this.latestTotal !== null) this.ended = true;
        else {
          this.emptyAt = this.cursor;
          this.probeAt = this.cursor + slot.limit;
        }
        continue;
      }
      // Rows past the announced end: the count was wrong, so read on to an empty page instead.
      if (this.confirming) this.trustTotal = false;
      this.confirming = false;
      this.cursor += page.rows;
      const total = this.latestTotal;
      if (this.trustTotal && total !== null && this.cursor >= total) {
        if (this.cursor > total) this.trustTotal = false;
        else if (this.isShort(slot, page.rows)) this.ended = true;
        // Reached exactly on a full page: one more request tells a true count from a low one.
        else this.confirming = true;
      }
    }
  }

  /** Rows in a page read ahead past the end the walk found mean the end was a hole. */
  private checkNothingPastTheEnd(): void {
    const end = this.emptyAt ?? (this.ended ? this.cursor : null);
    if (end === null) return;
    for (const [offset, slot] of this.slots) {
      if (offset > end && slot.answer && slot.answer.rows > 0) throw holeInFeed(end);
    }
  }

  private highestEnd(): number {
    let end = 0;
    for (const [offset, slot] of this.slots) end = Math.max(end, offset + (slot.answer ? slot.answer.rows : slot.limit));
    return end;
  }

  /**
   * Whether a page is shorter than the provider's page: fewer rows than asked, or a page of the
   * learnt size when that size is the provider's silent cap (asking for more would bring no more).
   */
  private isShort(slot: Slot, rows: number): boolean {
    return rows < slot.limit || (slot.limit === this.step && rows < this.limits.pageSize);
  }

  private ask(offset: number, limit: number): PageRequest {
    this.slots.set(offset, { limit });
    this.frontier = Math.max(this.frontier, offset + limit);
    return { offset, limit };
  }

  /** A page at `offset`: the learnt size, but never overlapping a page already asked for above it. */
  private gapLimit(offset: number): number {
    let limit = this.step ?? this.limits.pageSize;
    for (const above of this.slots.keys()) {
      if (above > offset) limit = Math.min(limit, above - offset);
    }
    return limit;
  }
}

function holeInFeed(offset: number): ProviderError {
  return incomplete(`The provider sent an empty page at offset ${offset} but records after it: part of the list is missing.`);
}

/** The error of a pull that cannot be shown complete. */
export function incomplete(message: string): ProviderError {
  return new ProviderError('incomplete_pull', message, { hints: hintsFor('incomplete_pull') });
}
