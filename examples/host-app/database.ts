import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Sequelize } from 'sequelize';

/**
 * Opens the host's database from a URL: `sqlite:<file>` (the folder is created; `sqlite::memory:`
 * also works) or `mysql://` / `mariadb://` for MySQL and MariaDB (both through the mysql2 driver).
 */
export function openDatabase(url: string): Sequelize {
  if (url.startsWith('sqlite:')) {
    const storage = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (storage !== ':memory:') mkdirSync(path.dirname(path.resolve(storage)), { recursive: true });
    return new Sequelize({ dialect: 'sqlite', storage, logging: false });
  }
  if (/^(mysql|mariadb):\/\//.test(url)) {
    // Stored dates in UTC whatever the server's TZ, so the app behaves the same everywhere.
    return new Sequelize(url.replace(/^mariadb:/, 'mysql:'), { dialect: 'mysql', logging: false, timezone: '+00:00' });
  }
  throw new Error('DATABASE_URL must start with sqlite: or mysql:// (or mariadb://).');
}
