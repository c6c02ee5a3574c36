/**
 * Waits until `check` is true, polling; throws naming `what` after `timeoutMs`. Tests wait on the
 * condition they need (a run has staged a page, a token's expiry has passed) rather than for a
 * guessed time, so a slow machine makes them slower, never wrong.
 */
export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
