import { Sequelize } from 'sequelize';
import { MARIADB_URL, testDatabases } from './databases';

/** Fails the whole run loudly when MariaDB is expected but not answering, rather than skipping it. */
export default async function globalSetup(): Promise<void> {
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
