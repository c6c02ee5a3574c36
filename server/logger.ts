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
