import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { errors } from '../../server/domain/errors';
import { describeCode } from '../../widget/messages';

/** Every `.ts` file under a folder. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sources(file) : file.endsWith('.ts') ? [file] : [];
  });
}

/**
 * Every error code the server can answer or record on a failed run, read from its source: the
 * codes of the error catalogue and of `ProviderError`s, and the codes written on runs. A new code
 * without words in the widget fails here instead of reaching an admin as "error code: …".
 */
function serverErrorCodes(): string[] {
  const codes = new Set<string>();
  const patterns = [/fail\(\s*\d{3},\s*'([a-z_]+)'/g, /OneRosterError\(\s*\d{3},\s*'([a-z_]+)'/g, /ProviderError\(\s*'([a-z_]+)'/g, /errorCode: '([a-z_]+)'/g, /return \{ code: '([a-z_]+)', message/g, /\{ status: '(?:failed|cancelled)', code: '([a-z_]+)'/g];
  for (const file of sources(path.resolve(__dirname, '../../server'))) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of patterns) for (const match of text.matchAll(pattern)) codes.add(match[1]!);
  }
  // Codes built from a variable (the connection codes of the HTTP client) are named here.
  for (const code of ['unreachable', 'timeout', 'tls_error', 'rate_limited', 'server_error', 'forbidden', 'not_found']) codes.add(code);
  return [...codes].sort();
}

/** Arguments good enough for any factory of the catalogue (they only shape the message). */
const catalogueArguments: unknown[] = [[], 'x', { sourcedId: 'x', buildingIds: [] }];

describe('words for every error code', () => {
  it('finds the codes the issue named among the server codes', () => {
    expect(serverErrorCodes()).toEqual(
      expect.arrayContaining(['interrupted', 'lease_lost', 'plan_missing', 'delta_unsupported', 'run_not_cancellable', 'stored_secret_unreadable', 'encryption_key_mismatch']),
    );
  });

  it.each(serverErrorCodes())('%s has words of its own', (code) => {
    expect(describeCode(code)).not.toMatch(/error code/);
  });

  it('reads every code of the error catalogue from the source', () => {
    const catalogued = Object.values(errors).map((make) => (make as (...args: unknown[]) => { code: string })(...catalogueArguments).code);
    expect(serverErrorCodes()).toEqual(expect.arrayContaining(catalogued));
  });

  it('has no words for a code the server never sends, even one named like an inherited property', () => {
    expect(describeCode('toString')).toMatch(/error code: toString/);
    expect(describeCode('constructor')).toMatch(/error code: constructor/);
  });
});
