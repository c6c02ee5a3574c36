import { setTimeout as sleep } from 'node:timers/promises';
import type { OneRoster } from '../../server/create-oneroster';
import type { RunMode, RunStatus, RunView } from '../../server/domain/contract';
import type { OneRosterUser } from '../../server/options';
import { EXIT_CODES, type ExitCode } from '../exit-codes';
import { writeLine, type CliIo } from '../io';
import { presentRunSummary } from '../present';
import { createProgressReporter, type ProgressReporter } from '../progress-reporter';

/** What to sync. */
export type SyncRequest = { kind: 'buildings' } | { kind: 'users'; mode: RunMode; dryRun: boolean };

const ENDED: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'held', 'cancelled']);

/**
 * `oneroster sync buildings|users`: starts the run through the same service as the Settings
 * buttons, follows its progress until it ends, prints the summary, and answers an exit code
 * for the run's status (0 succeeded, 1 failed or cancelled, 4 held).
 */
export async function syncCommand(oneroster: OneRoster, request: SyncRequest, json: boolean, io: CliIo): Promise<ExitCode> {
  const now = io.now ?? Date.now;
  const user: OneRosterUser = { id: 'cli', name: `${io.env.USER || 'operator'} (CLI)` };
  let run =
    request.kind === 'buildings'
      ? await oneroster.sync.startBuildingSync({ trigger: 'cli', user })
      : await oneroster.sync.startUserSync({ trigger: 'cli', user, mode: request.mode, dryRun: request.dryRun });

  const reporter: ProgressReporter = json
    ? { update: () => {}, finish: () => {} }
    : createProgressReporter(io.stdout, now, io.plainProgressIntervalMs ?? 5000);
  while (!ENDED.has(run.status)) {
    reporter.update(run);
    await sleep(io.pollIntervalMs ?? 500);
    run = await oneroster.sync.getRun(run.id);
  }
  reporter.finish(run);

  if (json) writeLine(io.stdout, JSON.stringify(run, null, 2));
  else for (const line of presentRunSummary(run)) writeLine(io.stdout, line);
  return exitCodeFor(run);
}

function exitCodeFor(run: RunView): ExitCode {
  if (run.status === 'succeeded') return EXIT_CODES.success;
  if (run.status === 'held') return EXIT_CODES.held;
  return EXIT_CODES.failed;
}
