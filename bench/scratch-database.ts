import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Sequelize } from 'sequelize';
import type { BenchDatabase } from './worker';

/** The MariaDB server the benchmark creates its scratch schemas on. */
export const MARIADB_ADMIN_URL = process.env.BENCH_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/mysql';

/** A database created for one benchmark size and dropped after it. */
export interface ScratchDatabase extends BenchDatabase {
  drop(): Promise<void>;
}

/** A fresh MariaDB schema (`bench_or_…`) or a SQLite file in a temp directory. */
export async function createScratchDatabase(dialect: BenchDatabase['dialect']): Promise<ScratchDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'oneroster-bench-'));
    return { dialect, location: path.join(dir, 'bench.sqlite'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `bench_or_${process.pid}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`CREATE DATABASE \`${schema}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  return {
    dialect,
    location: MARIADB_ADMIN_URL.replace(/\/[^/]*$/, `/${schema}`),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS \`${schema}\``),
  };
}

async function adminQuery(sql: string): Promise<void> {
  const admin = new Sequelize(MARIADB_ADMIN_URL, { dialect: 'mysql', logging: false });
  try {
    await admin.query(sql);
  } finally {
    await admin.close();
  }
}
