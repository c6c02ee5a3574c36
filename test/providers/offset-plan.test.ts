import { OffsetPlan, type PageRequest } from '../../server/providers/offset-plan';
import { createPagePace, readRateLimit } from '../../server/providers/page-pace';

/** Takes every request the plan wants now. */
function drain(plan: OffsetPlan): PageRequest[] {
  const requests: PageRequest[] = [];
  for (let request = plan.next(); request; request = plan.next()) requests.push(request);
  return requests;
}

describe('the scheduler of offsets', () => {
  it('asks for the first page alone, then every remaining offset up to X-Total-Count', () => {
    const plan = new OffsetPlan({ pageSize: 100, maxPages: 100, readAhead: 4 });
    expect(drain(plan)).toEqual([{ offset: 0, limit: 100 }]);
    plan.answered(0, { rows: 100, total: 450 });
    expect(drain(plan).map((r) => r.offset)).toEqual([100, 200, 300, 400]);
  });

  it('learns a silent page cap from the first page and schedules at that size', () => {
    const plan = new OffsetPlan({ pageSize: 100, maxPages: 100, readAhead: 4 });
    drain(plan);
    plan.answered(0, { rows: 40, total: 200 });
    expect(drain(plan)).toEqual([40, 80, 120, 160].map((offset) => ({ offset, limit: 40 })));
  });

  it('walks answers arriving in reverse order and ends only when the walk reaches the end', () => {
    const plan = new OffsetPlan({ pageSize: 100, maxPages: 100, readAhead: 4 });
    drain(plan);
    plan.answered(0, { rows: 100, total: 350 });
    drain(plan);
    plan.answered(300, { rows: 50, total: 350 });
    plan.answered(200, { rows: 100, total: 350 });
    expect(plan.finished).toBe(false);
    plan.answered(100, { rows: 100, total: 350 });
    expect(plan.finished).toBe(true);
    expect(plan.next()).toBeNull();
  });

  it('fills the gap a short page leaves in mid-list, without overlapping the page after it', () => {
    const plan = new OffsetPlan({ pageSize: 100, maxPages: 100, readAhead: 4 });
    drain(plan);
    plan.answered(0, { rows: 100, total: 400 });
    drain(plan);
    plan.answered(100, { rows: 70, total: 400 });
    expect(drain(plan)).toEqual([{ offset: 170, limit: 30 }]);
    for (const [offset, rows] of [[170, 30], [200, 100], [300, 100]] as const) plan.answered(offset, { rows, total: 400 });
    // 400 reached exactly by a full page: one confirming request.
    expect(drain(plan)).toEqual([{ offset: 400, limit: 100 }]);
    plan.answered(400, { rows: 0, total: 400 });
    expect(plan.finished).toBe(true);
  });

  it('without a count reads ahead a bounded number of pages, and confirms an empty page by the next', () => {
    const plan = new OffsetPlan({ pageSize: 50, maxPages: 100, readAhead: 3 });
    drain(plan);
    plan.answered(0, { rows: 50, total: null });
    expect(drain(plan).map((r) => r.offset)).toEqual([50, 100, 150]);
    plan.answered(50, { rows: 50, total: null });
    expect(drain(plan).map((r) => r.offset)).toEqual([200]);
    plan.answered(100, { rows: 0, total: null });
    expect(plan.finished).toBe(false);
    plan.answered(150, { rows: 0, total: null });
    expect(plan.finished).toBe(true);
    // The page read ahead past the end must be empty too, or the end was a hole.
    expect(() => plan.answered(200, { rows: 50, total: null })).toThrow(expect.objectContaining({ code: 'incomplete_pull' }));
  });

  it('counts pages walked against the page cap, not pages read ahead', () => {
    const plan = new OffsetPlan({ pageSize: 10, maxPages: 3, readAhead: 4 });
    drain(plan);
    plan.answered(0, { rows: 10, total: null });
    expect(drain(plan).map((r) => r.offset)).toEqual([10, 20]);
    plan.answered(10, { rows: 10, total: null });
    plan.answered(20, { rows: 10, total: null });
    expect(() => plan.next()).toThrow(expect.objectContaining({ code: 'incomplete_pull' }));
  });

  it('distrusts a count that more rows than announced prove low, and reads on to an empty page', () => {
    const plan = new OffsetPlan({ pageSize: 100, maxPages: 100, readAhead: 2 });
    drain(plan);
    plan.answered(0, { rows: 100, total: 150 });
    drain(plan);
    plan.answered(100, { rows: 100, total: 150 });
    expect(plan.totalTrusted).toBe(false);
    expect(plan.finished).toBe(false);
    expect(drain(plan).map((r) => r.offset)).toEqual([200, 300]);
  });
});

describe('the pace of a pull', () => {
  const clock = () => {
    let now = 1_000_000;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('halves on a refusal, once per burst, never below 1', () => {
    const pace = createPagePace({ concurrency: 8, maxPauseMs: 30_000 });
    const burst = [pace.begin(), pace.begin(), pace.begin()];
    for (const ticket of burst) pace.refused(ticket, null);
    expect(pace.allowed()).toBe(4);
    pace.refused(pace.begin(), null);
    expect(pace.allowed()).toBe(2);
    pace.refused(pace.begin(), null);
    pace.refused(pace.begin(), null);
    expect(pace.allowed()).toBe(1);
  });

  it('pauses new requests for Retry-After, capped by the longest pause', () => {
    const time = clock();
    const pace = createPagePace({ concurrency: 4, maxPauseMs: 5000, now: time.now });
    pace.refused(pace.begin(), 2000);
    expect(pace.delayMs()).toBe(2000);
    time.advance(1500);
    expect(pace.delayMs()).toBe(500);
    pace.refused(pace.begin(), 3_600_000);
    expect(pace.delayMs()).toBe(5000);
  });

  it('narrows as the rate-limit budget runs low, and waits for the reset once it is spent', () => {
    const time = clock();
    const pace = createPagePace({ concurrency: 4, maxPauseMs: 30_000, now: time.now });
    pace.observed({ remaining: 500, resetMs: 10_000 });
    expect(pace.allowed()).toBe(4);
    pace.observed({ remaining: 5, resetMs: 10_000 });
    expect(pace.allowed()).toBe(2);
    pace.observed({ remaining: 1, resetMs: 10_000 });
    expect(pace.allowed()).toBe(1);
    expect(pace.delayMs()).toBe(0);
    pace.observed({ remaining: 0, resetMs: 7000 });
    expect(pace.delayMs()).toBe(7000);
  });

  it('reads RateLimit-* and X-RateLimit-* headers, with a reset as seconds or as a Unix time', () => {
    expect(readRateLimit({})).toBeNull();
    expect(readRateLimit({ 'ratelimit-remaining': '12', 'ratelimit-reset': '30' })).toEqual({ remaining: 12, resetMs: 30_000 });
    expect(readRateLimit({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '2000000010' }, 2_000_000_000_000)).toEqual({ remaining: 0, resetMs: 10_000 });
    expect(readRateLimit({ 'x-ratelimit-remaining': 'lots' })).toBeNull();
  });
});
