import type { OneRoster } from '../../server/create-oneroster';
import { CliExit, EXIT_CODES, type ExitCode } from '../exit-codes';
import { writeLine, type OutputStream } from '../io';
import { presentTestResult } from '../present';

/** `oneroster test-connection`: tests the saved configuration; 0 when it passes, 1 when not, 3 when nothing is saved. */
export async function testConnectionCommand(oneroster: OneRoster, json: boolean, stdout: OutputStream): Promise<ExitCode> {
  const status = await oneroster.status();
  if (!status.configured) {
    throw new CliExit(EXIT_CODES.configuration, 'No provider is configured. Save one in Settings → OneRoster first.');
  }
  const result = await oneroster.testConnection();
  if (json) writeLine(stdout, JSON.stringify(result, null, 2));
  else for (const line of presentTestResult(result)) writeLine(stdout, line);
  return result.ok ? EXIT_CODES.success : EXIT_CODES.failed;
}
