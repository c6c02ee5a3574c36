import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Sequelize } from 'sequelize';
import { CHROMIUM, CHROMIUM_MISSING } from './chromium';
import { MARIADB_URL, testDatabases } from './databases';

/**
 * Fails the whole run in seconds, before any suite starts, when something a selected test needs
 * is missing: Debian's Chromium for the browser suites, MariaDB when it is one of TEST_DATABASES.
 */
export default async function globalSetup(globalConfig: { testPathPattern?: string }): Promise<void> {
  if (!existsSync(CHROMIUM) && browserSuitesSelected(globalConfig.testPathPattern)) throw new Error(CHROMIUM_MISSING);
  await checkMariadb();
}

/** Whether the run includes a suite that launches Chromium (those call `useChromium()`). */
function browserSuitesSelected(pattern: string | undefined): boolean {
  const root = path.resolve(__dirname, '..');
  const selected = pattern ? new RegExp(pattern, 'i') : null;
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? walk(full) : entry.name.endsWith('.test.ts') ? [full] : [];
    });
  return walk(root).some((file) => (!selected || selected.test(file)) && readFileSync(file, 'utf8').includes('useChromium('));
}

/** MariaDB expected but not answering fails the run loudly, rather than skipping its half. */
async function checkMariadb(): Promise<void> {
  if (!testDatabases().includes('mariadb')) return;
  const probe = new Sequelize(MARIADB_URL, { logging: false });
  try {
    await probe.authenticate();
  } catch (err) {
    throw new Error(
      `MariaDB is not reachable at ${MARIADB_URL} (${(err as Error).message}). Start it ` +
        '(start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd) or run with TEST_DATABASES=sqlite on a laptop.',
    );
  } finally {
    await probe.close();
  }
}
