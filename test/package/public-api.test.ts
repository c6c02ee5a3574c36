import path from 'node:path';
import * as publicSurface from '../../server';
import { EXPECTED_RUNTIME_EXPORTS, EXPECTED_TYPE_EXPORTS } from './expected-public-api';
import { readExportedNames } from './public-names';

// An accidental API change (a new export, a renamed type, a removed function) fails here. If the
// change is intended, update expected-public-api.ts in the same commit and say so in the changelog.
describe('public API', () => {
  it('exports exactly the expected runtime names', () => {
    expect(Object.keys(publicSurface).sort()).toEqual([...EXPECTED_RUNTIME_EXPORTS].sort());
  });

  it('exports exactly the expected type names', () => {
    const names = readExportedNames(path.resolve(__dirname, '../../server/index.ts'));
    expect(names.values).toEqual([...EXPECTED_RUNTIME_EXPORTS].sort());
    expect(names.types).toEqual([...EXPECTED_TYPE_EXPORTS].sort());
  });
});
