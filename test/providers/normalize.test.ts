import { extractRows, normalizeOrg, normalizePerson } from '../../server/providers/normalize';
import { ProviderError } from '../../server/providers/types';

function person(raw: unknown) {
  const result = normalizePerson(raw);
  if (!('record' in result)) throw new Error(`expected a record, got ${JSON.stringify(result)}`);
  return result.record;
}

describe('envelopes', () => {
  it('accepts the resource-type key, the students/teachers variants and a bare array', () => {
    expect(extractRows({ orgs: [{ sourcedId: 'a' }] }, 'orgs')).toHaveLength(1);
    expect(extractRows({ users: [1, 2] }, 'users')).toHaveLength(2);
    expect(extractRows({ students: [1] }, 'users')).toHaveLength(1);
    expect(extractRows({ teachers: [] }, 'users')).toEqual([]);
    expect(extractRows([{ sourcedId: 'x' }], 'users')).toHaveLength(1);
  });

  it('treats a 200 without any expected shape as bad_response, never as "no records"', () => {
    for (const body of [{}, undefined, 'OK', { data: [] }, { users: null }, { orgs: [] }]) {
      expect(() => extractRows(body, 'users')).toThrow(ProviderError);
    }
    try {
      extractRows({}, 'orgs');
    } catch (err) {
      expect((err as ProviderError).code).toBe('bad_response');
    }
  });
});

describe('records', () => {
  it('reads a 1.1 user: one role, orgs in order, enabledUser as a string', () => {
    const record = person({
      sourcedId: 'u1',
      status: 'active',
      enabledUser: 'false',
      role: 'student',
      orgs: [{ href: 'x', sourcedId: 'org-2', type: 'org' }, { sourcedId: 'org-1' }],
      givenName: 'Ada',
      familyName: 'Lovelace',
      identifier: 12345,
      email: 'not-an-email',
      grades: ['09'],
    });
    expect(record).toMatchObject({
      sourcedId: 'u1',
      enabled: false,
      roles: ['student'],
      orgSourcedIds: ['org-2', 'org-1'],
      identifier: '12345',
      email: 'not-an-email',
      grades: ['09'],
      legacySourcedIds: [],
    });
  });

  it('reads a 1.2 user: primary role and primaryOrg first, secondary roles after, unknown roles kept', () => {
    const record = person({
      sourcedId: 'u2',
      enabledUser: true,
      primaryOrg: { sourcedId: 'org-9' },
      roles: [
        { roleType: 'secondary', role: 'ext:coach', org: { sourcedId: 'org-3' } },
        { roleType: 'primary', role: 'teacher', org: { sourcedId: 'org-9' } },
      ],
      metadata: { ic: { legacysourceId: 'old-7' } },
    });
    expect(record.roles).toEqual(['teacher', 'ext:coach']);
    expect(record.orgSourcedIds).toEqual(['org-9', 'org-3']);
    expect(record.legacySourcedIds).toEqual(['old-7']);
    expect(record.givenName).toBe('');
  });

  it('parses every enabledUser spelling and maps inactive to tobedeleted', () => {
    expect(['true', true, 1, '1', undefined].map((value) => person({ sourcedId: 'x', enabledUser: value }).enabled)).toEqual([true, true, true, true, true]);
    expect(['false', 'FALSE', false, 0, '0'].map((value) => person({ sourcedId: 'x', enabledUser: value }).enabled)).toEqual([false, false, false, false, false]);
    expect(person({ sourcedId: 'x', status: 'inactive' }).status).toBe('tobedeleted');
    expect(person({ sourcedId: 'x', status: 'toBeDeleted' }).status).toBe('tobedeleted');
  });

  it('keeps both role shapes when a record carries role and roles', () => {
    expect(person({ sourcedId: 'x', role: 'teacher', roles: [{ roleType: 'secondary', role: 'aide' }] }).roles).toEqual(['teacher', 'aide']);
  });

  it('turns structurally broken rows into problems, not exceptions', () => {
    expect(normalizePerson('nope')).toEqual({ problem: expect.objectContaining({ code: 'unreadable_record', sourcedId: null }) });
    expect(normalizePerson({ givenName: 'No Id' })).toEqual({ problem: expect.objectContaining({ code: 'missing_sourced_id' }) });
    expect(normalizeOrg(null)).toEqual({ problem: expect.objectContaining({ code: 'unreadable_record' }) });
  });

  it('reads an org with its parent and an ext: type as sent', () => {
    const result = normalizeOrg({ sourcedId: 's1', name: 'North', type: 'ext:campus', identifier: '0042', parent: { sourcedId: 'd1' }, status: 'tobedeleted' });
    expect(result).toEqual({
      record: { sourcedId: 's1', status: 'tobedeleted', name: 'North', type: 'ext:campus', identifier: '0042', parentSourcedId: 'd1', dateLastModified: null },
    });
  });
});
