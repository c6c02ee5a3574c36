import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** Runs jest on one browser suite in a child process, with Chromium looked for at `chromium`. */
function runBrowserSuite(chromium: string) {
  return spawnSync(process.execPath, [require.resolve('jest/bin/jest'), 'test/reliability/widget-markup', '--maxWorkers=1'], {
    cwd: ROOT,
    env: { ...process.env, CHROMIUM_PATH: chromium, TEST_DATABASES: 'sqlite' },
    encoding: 'utf8',
    timeout: 120_000,
  });
}

describe('the test run without Chromium', () => {
  it('stops in the global set-up, before any suite starts, saying how to install it', () => {
    const run = runBrowserSuite('/nonexistent/chromium');
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("/nonexistent/chromium is missing: browser tests need Debian's chromium (apt-get install -y chromium)");
    // No suite ran: the run ended in the set-up, not after a browser suite's timeout.
    expect(run.stderr).not.toMatch(/^(PASS|FAIL) /m);
  });
});
