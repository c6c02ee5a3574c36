/**
 * Exit codes of the `oneroster` command, stable so deploy scripts and cron jobs can branch on them.
 * Documented in the README; never renumber one.
 */
export const EXIT_CODES = {
  /** The command did what it was asked (a sync succeeded, the connection test passed). */
  success: 0,
  /** The sync run failed, or the connection test failed, or an unexpected error. */
  failed: 1,
  /** The command line was wrong (unknown command or option, bad value). Help is printed. */
  usage: 2,
  /** The environment or the module is not ready: a variable is missing or invalid, the database
   *  cannot be opened, migrations are pending, no provider is configured, or buildings must be
   *  synced before users. */
  configuration: 3,
  /** The sync was held by the mass-deactivation safeguard and waits for an admin's approval. */
  held: 4,
  /** Another sync is already running; nothing was started. */
  busy: 5,
} as const;

/** One of the exit codes above. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** An error that ends the command with a given exit code and a message for the operator. */
export class CliExit extends Error {
  /** The process exit code. */
  readonly exitCode: ExitCode;

  constructor(exitCode: ExitCode, message: string) {
    super(message);
    this.name = 'CliExit';
    this.exitCode = exitCode;
  }
}
