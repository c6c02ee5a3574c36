import { createOneRoster } from '../../server/create-oneroster';
import { describeEachDatabase } from '../helpers/databases';
import { createMemoryLogger, TEST_ENCRYPTION_KEY } from '../helpers/app';

/**
 * A monolith serving thousands of districts must not keep every district's services built forever
 * (issue 19): a district nobody asked for in ten minutes, with nothing running, is dropped and
 * rebuilt on its next request; the default district, which the handle's `sync` holds, never is.
 */
describeEachDatabase('idle district scopes', (db) => {
  it('keeps a district in use, drops one idle for ten minutes, never drops the default one', async () => {
    let now = new Date('2026-12-02T10:00:00Z').getTime();
    const minutes = (n: number) => {
      now += n * 60_000;
    };
    const oneroster = createOneRoster({
      sequelize: db().sequelize,
      encryptionKey: TEST_ENCRYPTION_KEY,
      logger: createMemoryLogger(),
      clock: { now: () => new Date(now) },
    });
    await oneroster.migrate();

    const lincoln = oneroster.forDistrict('lincoln');
    const washington = oneroster.forDistrict('washington');
    const main = oneroster.forDistrict('default');
    expect(oneroster.forDistrict('lincoln')).toBe(lincoln);

    // Washington is asked for every few minutes; Lincoln not at all.
    for (let i = 0; i < 4; i += 1) {
      minutes(3);
      expect(oneroster.forDistrict('washington')).toBe(washington);
    }
    expect(oneroster.forDistrict('lincoln')).not.toBe(lincoln);
    expect(oneroster.forDistrict('washington')).toBe(washington);
    expect(oneroster.forDistrict('default')).toBe(main);

    // The rebuilt district works as before: its status reads from the database.
    expect((await oneroster.forDistrict('lincoln').status()).enabled).toBe(false);
    await oneroster.close();
  });
});
