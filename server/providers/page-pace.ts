/** What an answer's rate-limit headers said (`RateLimit-*` or `X-RateLimit-*`). */
export interface RateLimitState {
  /** Requests left in the provider's current window. */
  remaining: number;
  /** Milliseconds until the window resets, when the provider said. */
  resetMs: number | null;
}

/** A request's place in the pace: refusals of requests started before a halving do not halve again. */
export interface PaceTicket {
  readonly generation: number;
}

/**
 * How many page requests of one pull may be in flight, and when the next may start. Starts at the
 * configured concurrency; a refusal (429 or 503) halves it for the rest of the pull and pauses new
 * requests for the `Retry-After` the provider asked; a rate-limit budget running low narrows it
 * before the provider has to refuse, and an exhausted one waits for the window to reset.
 */
export interface PagePace {
  /** Requests allowed in flight now (at least 1). */
  allowed(): number;
  /** Milliseconds before a new request may start (0: now). */
  delayMs(): number;
  /** Notes that a request starts. */
  begin(): PaceTicket;
  /** A request was refused with 429 or 503; `retryAfterMs` when the provider said how long to wait. */
  refused(ticket: PaceTicket, retryAfterMs: number | null): void;
  /** An answer's rate-limit headers, when it sent any. */
  observed(rate: RateLimitState): void;
}

/** Settings of one pace. */
export interface PagePaceOptions {
  /** Configured concurrency (1 = serial). */
  concurrency: number;
  /** Longest pause, in ms (the HTTP `retryMaxMs`), so a provider cannot stall a pull for hours. */
  maxPauseMs: number;
  /** Current time in ms. Defaults to `Date.now`. */
  now?: () => number;
}

/** When the budget is exhausted and the provider did not say when it resets, wait this long. */
const UNKNOWN_RESET_MS = 1000;

/** Creates the pace of one pull. */
export function createPagePace(options: PagePaceOptions): PagePace {
  const now = options.now ?? Date.now;
  let limit = Math.max(1, options.concurrency);
  let generation = 0;
  let pausedUntil = 0;
  let budget: number | null = null;

  const pauseFor = (ms: number) => {
    pausedUntil = Math.max(pausedUntil, now() + Math.min(ms, options.maxPauseMs));
  };

  return {
    allowed() {
      // Keep half the budget in reserve: other clients of the same district share it.
      if (budget !== null) return Math.max(1, Math.min(limit, Math.floor(budget / 2)));
      return limit;
    },
    delayMs() {
      return Math.max(0, pausedUntil - now());
    },
    begin() {
      return { generation };
    },
    refused(ticket, retryAfterMs) {
      // One halving per burst: requests already in flight when it halved were refused by the same overload.
      if (ticket.generation === generation) {
        limit = Math.max(1, Math.floor(limit / 2));
        generation += 1;
      }
      if (retryAfterMs !== null) pauseFor(retryAfterMs);
    },
    observed(rate) {
      budget = rate.remaining;
      if (rate.remaining <= 0) pauseFor(rate.resetMs ?? UNKNOWN_RESET_MS);
    },
  };
}

/**
 * Reads `RateLimit-Remaining` / `X-RateLimit-Remaining` and the matching `…-Reset` (seconds to
 * wait, or a Unix time in seconds, as some providers send) from lower-cased headers; null when absent.
 */
export function readRateLimit(headers: Record<string, string>, nowMs: number = Date.now()): RateLimitState | null {
  const remainingText = headers['ratelimit-remaining'] ?? headers['x-ratelimit-remaining'];
  if (remainingText === undefined || !/^\s*\d+\s*$/.test(remainingText)) return null;
  const resetText = headers['ratelimit-reset'] ?? headers['x-ratelimit-reset'];
  let resetMs: number | null = null;
  if (resetText !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(resetText)) {
    const seconds = Number(resetText);
    // Above a billion it is a point in time (2001 onwards), not a delay.
    resetMs = seconds > 1e9 ? Math.max(0, seconds * 1000 - nowMs) : seconds * 1000;
  }
  return { remaining: Number(remainingText), resetMs };
}
