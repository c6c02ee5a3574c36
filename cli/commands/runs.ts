import type { OneRoster } from '../../server/create-oneroster';
import { EXIT_CODES, type ExitCode } from '../exit-codes';
import { writeLine, type OutputStream } from '../io';
import { presentRunTable } from '../present';

/** `oneroster runs [--limit N]`: the latest runs, newest first. */
export async function runsCommand(oneroster: OneRoster, limit: number, json: boolean, stdout: OutputStream): Promise<ExitCode> {
  const page = await oneroster.sync.listRuns({ limit, offset: 0 });
  if (json) {
    writeLine(stdout, JSON.stringify(page, null, 2));
  } else if (page.total === 0) {
    writeLine(stdout, 'No sync runs yet.');
  } else {
    for (const line of presentRunTable(page.items, page.total)) writeLine(stdout, line);
  }
  return EXIT_CODES.success;
}
