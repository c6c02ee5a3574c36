/** Structured logger the host injects (pino, winston and console all fit). Never pass secrets or roster records. */
export interface Logger {
  /** Fine detail for debugging. */
  debug(message: string, meta?: Record<string, unknown>): void;
  /** Normal progress worth keeping. */
  info(message: string, meta?: Record<string, unknown>): void;
  /** Something went wrong but the module carried on. */
  warn(message: string, meta?: Record<string, unknown>): void;
  /** Something failed. */
  error(message: string, meta?: Record<string, unknown>): void;
}

/** The default: warnings and errors to the console, prefixed; debug and info dropped. */
export function createConsoleLogger(): Logger {
  const write = (level: 'warn' | 'error') => (message: string, meta?: Record<string, unknown>) =>
    console[level](`[oneroster] ${message}`, meta ?? '');
  return { debug: () => {}, info: () => {}, warn: write('warn'), error: write('error') };
}

/**
 * An error's text for a log line, with every quoted piece replaced by `'…'`: databases quote the
 * values they choke on (`Duplicate entry 'Ada' for key …`, `near "…"`), and those are pieces of
 * roster records. `withStack` keeps the stack frames (which quote nothing).
 */
export function errorForLog(err: unknown, withStack = false): string {
  if (!(err instanceof Error)) return redactQuoted(String(err));
  // The frames only: some drivers' stacks lack the message, or repeat it.
  const frames = withStack ? (err.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line)) : [];
  return redactQuoted([`${err.name}: ${err.message}`, ...frames].join('\n'));
}

function redactQuoted(text: string): string {
  return text.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "'…'");
}
