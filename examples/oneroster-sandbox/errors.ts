/**
 * Error bodies as the standard has them: 1.2 sends one imsx status object, 1.1 wraps it in
 * `statusInfoSet` and spells the minor codes with spaces ("unknown object").
 */
import { SandboxVersion } from './types';

/** Minor codes the sandbox uses (1.2 spelling). */
export type CodeMinor =
  | 'invalid_filter_field'
  | 'invaliddata'
  | 'unauthorisedrequest'
  | 'forbidden'
  | 'unknownobject'
  | 'server_busy'
  | 'internal_server_error';

const SPELLING_11: Record<CodeMinor, string> = {
  invalid_filter_field: 'invalid filter field',
  invaliddata: 'invalid data',
  unauthorisedrequest: 'unauthorized request',
  forbidden: 'forbidden',
  unknownobject: 'unknown object',
  server_busy: 'server busy',
  internal_server_error: 'internal server error',
};

/** The JSON body of an error answer in a version's style. */
export function errorBody(version: SandboxVersion, codeMinor: CodeMinor, description: string): unknown {
  const status = {
    imsx_codeMajor: 'failure',
    imsx_severity: 'error',
    imsx_description: description,
    imsx_CodeMinor: {
      imsx_codeMinorField: [
        { imsx_codeMinorFieldName: 'TargetEndSystem', imsx_codeMinorFieldValue: version === '1.1' ? SPELLING_11[codeMinor] : codeMinor },
      ],
    },
  };
  return version === '1.1' ? { statusInfoSet: [status] } : status;
}

/** The minor code that goes with an HTTP status. */
export function codeMinorFor(status: number): CodeMinor {
  if (status === 400) return 'invaliddata';
  if (status === 401) return 'unauthorisedrequest';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'unknownobject';
  if (status === 429 || status === 503) return 'server_busy';
  return 'internal_server_error';
}
