import type { RunStatus, RunView } from '../server/domain/contract';
import { ApiError, type ApiClient } from './api-client';

/** Statuses a run never leaves by itself. */
export const ENDED: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'held', 'cancelled', 'superseded']);

/**
 * Polls `GET /runs/:id` about once a second until the run ends, reporting each answer.
 * Resolves with the ended run, or null when `signal` aborted first (the element left the page).
 * A failed poll is retried, slower, a few times before giving up with the error.
 */
export async function watchRun(
  client: ApiClient,
  id: number,
  onUpdate: (run: RunView) => void,
  signal: AbortSignal,
  intervalMs = 1000,
): Promise<RunView | null> {
  let failures = 0;
  while (!signal.aborted) {
    try {
      const run = await client.getRun(id);
      if (signal.aborted) return null;
      failures = 0;
      onUpdate(run);
      if (ENDED.has(run.status)) return run;
    } catch (err) {
      // A lost session or a vanished run will not fix itself by asking again.
      if (err instanceof ApiError && [401, 403, 404].includes(err.status)) throw err;
      failures += 1;
      if (failures >= 5) throw err;
    }
    await sleep(intervalMs * (failures + 1), signal);
  }
  return null;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
