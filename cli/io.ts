/** A place the command writes to: `process.stdout`/`process.stderr`, or a capturing stream in tests. */
export interface OutputStream {
  /** Writes text as is (no newline added). */
  write(chunk: string): unknown;
  /** True on a terminal: progress is then drawn as a bar redrawn in place. */
  isTTY?: boolean;
  /** Terminal width, when known. */
  columns?: number;
}

/** Everything the command reads from or writes to the outside world, so tests can run it in-process. */
export interface CliIo {
  /** Environment variables (`DATABASE_URL`, `ONEROSTER_ENCRYPTION_KEY`, …). */
  env: Record<string, string | undefined>;
  /** Results and progress. */
  stdout: OutputStream;
  /** Errors, warnings and usage text after a usage error. */
  stderr: OutputStream;
  /** How often a sync's progress is read, in ms. Defaults to 500. */
  pollIntervalMs?: number;
  /** Least time between two plain progress lines (not a terminal), in ms. Defaults to 5000. */
  plainProgressIntervalMs?: number;
  /** Milliseconds since the epoch; tests pass a controllable one. Defaults to `Date.now`. */
  now?: () => number;
}

/** Writes one line. */
export function writeLine(stream: OutputStream, text = ''): void {
  stream.write(`${text}\n`);
}
