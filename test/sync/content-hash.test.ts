import { hashBuilding, hashPerson } from '../../server/sync/content-hash';

// Every synced row stores its hash; a re-sync compares against it. A hash that changed between
// versions would make the first sync after an upgrade rewrite every person as "updated". These
// values were computed with `createHash('sha1')`, as every earlier version did.
describe('content hashes stay what earlier versions stored', () => {
  it('hashes a person to the same 27 characters', () => {
    expect(hashPerson({
      firstName: 'Zoë', middleName: null, lastName: "O'Brien", preferredFirstName: 'Zo', email: 'zoe@example.org', username: 'zobrien',
      number: 'S-1042', grade: '05', role: 'student', buildingId: 3, enabled: true, naturalKey: 'studentUniqueId:604822',
    })).toBe('b9eUGOg3lwf8S3svUkji_z_jmAA');
  });

  it('hashes a building to the same 27 characters', () => {
    expect(hashBuilding({ sisId: 'SCH-1', name: 'Lincoln Elementary', identifier: '0401' })).toBe('Ai7eAUqoslD0ypO3U8gd6XmwOPs');
  });
});
