import { createProgressThrottle } from '../../server/sync/progress-throttle';
import type { RunPatch } from '../../server/sync/run-records';

/** A throttle over a recorded write, with a clock the test moves. */
function throttled() {
  let now = 10_000;
  const writes: RunPatch[] = [];
  const failures: unknown[] = [];
  let failNext = false;
  const throttle = createProgressThrottle({
    write: async (patch) => {
      if (failNext) {
        failNext = false;
        throw new Error('database away');
      }
      writes.push(patch);
    },
    onWriteFailed: (err) => failures.push(err),
    everyMs: 1000,
    now: () => now,
  });
  return { throttle, writes, failures, advance: (ms: number) => (now += ms), failNextWrite: () => (failNext = true) };
}

describe('the progress throttle of a run', () => {
  it('writes progress at most once per interval, and keeps the latest for the run’s end', async () => {
    const { throttle, writes, advance } = throttled();
    throttle.progress(100, 1000);
    throttle.progress(200, 1000);
    advance(999);
    throttle.progress(300, 1000);
    await throttle.settle();
    expect(writes).toEqual([{ processed: 100, total: 1000 }]);
    expect(throttle.last()).toEqual({ processed: 300, total: 1000 });

    advance(1);
    throttle.progress(400, 1000);
    await throttle.settle();
    expect(writes).toEqual([{ processed: 100, total: 1000 }, { processed: 400, total: 1000 }]);
  });

  it('writes a phase change at once, after the write in flight, and starts its progress from zero', async () => {
    const { throttle, writes } = throttled();
    throttle.progress(40, 40);
    await throttle.phase('planning');
    expect(writes).toEqual([{ processed: 40, total: 40 }, { phase: 'planning', processed: 0, total: null }]);
    expect(throttle.last()).toEqual({ processed: 0, total: null });
    // The phase change counts as a write: progress right after it waits for the interval.
    throttle.progress(5, null);
    await throttle.settle();
    expect(writes).toHaveLength(2);
  });

  it('reports a failed progress write and goes on writing', async () => {
    const { throttle, writes, failures, advance, failNextWrite } = throttled();
    failNextWrite();
    throttle.progress(1, 10);
    await throttle.settle();
    expect(failures).toHaveLength(1);
    advance(1000);
    throttle.progress(2, 10);
    await throttle.settle();
    expect(writes).toEqual([{ processed: 2, total: 10 }]);
  });
});
