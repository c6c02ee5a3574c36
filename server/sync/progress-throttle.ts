import type { RunPhase } from '../domain/contract';
import type { RunPatch } from './run-records';

/** Progress of one run as its row last showed it, or will once written. */
export interface ProgressSoFar {
  /** Records processed in the current phase. */
  processed?: number;
  /** The phase's total, when known. */
  total?: number | null;
}

/**
 * A run's progress, written off its critical path: at most once per `everyMs`, one write in
 * flight at a time, a phase change at once. The last value is kept, since the throttle may skip
 * the last batch's progress: the run's end writes it, so a small run does not end reading "0 of 40".
 */
export interface ProgressThrottle {
  /** Notes progress; writes it unless a write happened less than `everyMs` ago. Never waits for the write. */
  progress(processed: number, total: number | null): void;
  /** Moves to another phase and resets progress, written at once (after the write in flight). */
  phase(phase: RunPhase, total?: number | null): Promise<void>;
  /** Resolves once the write in flight (if any) has ended. */
  settle(): Promise<void>;
  /** The latest progress noted, written or not. */
  last(): ProgressSoFar;
}

/** What the throttle writes with. */
export interface ProgressThrottleDeps {
  /** Writes fields on the run row. */
  write(patch: RunPatch): Promise<unknown>;
  /** Told of a progress write that failed (the run goes on). */
  onWriteFailed(err: unknown): void;
  /** Least time between two progress writes, in ms. */
  everyMs: number;
  /** Wall time in ms. Defaults to `Date.now`. */
  now?: () => number;
}

/** Builds the progress throttle of one run. */
export function createProgressThrottle(deps: ProgressThrottleDeps): ProgressThrottle {
  const now = deps.now ?? Date.now;
  let lastWrite = 0;
  let latest: ProgressSoFar = {};
  let inFlight: Promise<unknown> = Promise.resolve();

  return {
    progress(processed, total) {
      latest = { processed, total };
      if (now() - lastWrite < deps.everyMs) return;
      lastWrite = now();
      inFlight = inFlight.then(() => deps.write({ processed, total })).catch((err) => deps.onWriteFailed(err));
    },
    async phase(phase, total = null) {
      lastWrite = now();
      latest = { processed: 0, total };
      await inFlight;
      await deps.write({ phase, processed: 0, total });
    },
    settle: () => inFlight.then(() => undefined),
    last: () => latest,
  };
}
