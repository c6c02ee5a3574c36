import type { OneRoster } from '../../server/create-oneroster';
import { EXIT_CODES, type ExitCode } from '../exit-codes';
import { writeLine, type OutputStream } from '../io';
import { presentStatus } from '../present';

/** `oneroster status`: configuration, freshness and migrations, for an operator or a health script. */
export async function statusCommand(oneroster: OneRoster, json: boolean, stdout: OutputStream): Promise<ExitCode> {
  const view = await oneroster.status();
  if (json) writeLine(stdout, JSON.stringify(view, null, 2));
  else for (const line of presentStatus(view)) writeLine(stdout, line);
  return EXIT_CODES.success;
}
