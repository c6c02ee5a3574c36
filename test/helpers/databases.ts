import { Sequelize } from 'sequelize';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The databases every DB-touching suite runs on. CI runs both; a laptop may say TEST_DATABASES=sqlite. */
export type TestDatabaseName = 'sqlite' | 'mariadb';

export const MARIADB_URL = process.env.TEST_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/test';

/** Which databases this run covers (default: both). */
export function testDatabases(): TestDatabaseName[] {
  const names = (process.env.TEST_DATABASES ?? 'sqlite,mariadb').split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (name !== 'sqlite' && name !== 'mariadb') throw new Error(`TEST_DATABASES: unknown database "${name}"`);
  }
  return names as TestDatabaseName[];
}

/** A scratch database, created for one suite and dropped after it. */
export interface ScratchDatabase {
  name: TestDatabaseName;
  sequelize: Sequelize;
  /** A URL another process can open the same database with. */
  url: string;
  drop(): Promise<void>;
}

/**
 * Makes a fresh, empty database: a temporary SQLite file, or a uniquely named MariaDB schema
 * (utf8mb4 unless `charset` says otherwise: `latin1`, `utf8mb3`, as some hosts' schemas are).
 */
export async function createScratchDatabase(name: TestDatabaseName, options: { charset?: 'utf8mb4' | 'utf8mb3' | 'latin1' } = {}): Promise<ScratchDatabase> {
  if (name === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'oneroster-test-'));
    const file = path.join(dir, 'db.sqlite');
    const sequelize = new Sequelize({ dialect: 'sqlite', storage: file, logging: false });
    return {
      name,
      sequelize,
      url: `sqlite:${file}`,
      drop: async () => {
        await sequelize.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_or_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new Sequelize(MARIADB_URL, { logging: false });
  const charset = options.charset ?? 'utf8mb4';
  await admin.query(`CREATE DATABASE \`${schema}\` CHARACTER SET ${charset} COLLATE ${charset === 'latin1' ? 'latin1_swedish_ci' : `${charset}_unicode_ci`}`);
  await admin.close();
  const url = MARIADB_URL.replace(/\/[^/]*$/, `/${schema}`);
  const sequelize = new Sequelize(url, { logging: false, pool: { max: 10 } });
  return {
    name,
    sequelize,
    url,
    drop: async () => {
      await sequelize.close();
      const cleaner = new Sequelize(MARIADB_URL, { logging: false });
      await cleaner.query(`DROP DATABASE IF EXISTS \`${schema}\``);
      await cleaner.close();
    },
  };
}

/**
 * Runs a describe block once per test database, each with its own scratch database:
 * `describeEachDatabase('sync', (db) => { it(..., async () => db().sequelize ...) })`.
 */
export function describeEachDatabase(title: string, body: (db: () => ScratchDatabase) => void): void {
  for (const name of testDatabases()) {
    describe(`${title} [${name}]`, () => {
      let current: ScratchDatabase | undefined;
      beforeAll(async () => {
        current = await createScratchDatabase(name);
      });
      afterAll(async () => {
        await current?.drop();
      });
      body(() => {
        if (!current) throw new Error('scratch database not ready');
        return current;
      });
    });
  }
}
