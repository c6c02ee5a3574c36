import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Sequelize } from 'sequelize';
import type { ScratchDatabase } from '../helpers/databases';

/**
 * A database the test can take down and bring back, on the same data as a scratch database.
 * MariaDB: a Sequelize that talks through a TCP proxy on loopback; `cut()` drops every connection
 * and refuses new ones (`ECONNREFUSED`), as a restarting database server does. SQLite (a file,
 * no server): every statement fails while cut, at the query level, except the ROLLBACK a lost
 * connection implies (transactions are still ended).
 */
export interface OutageDatabase {
  /** The database as the module sees it (point the test host here). */
  db: ScratchDatabase;
  /** Takes the database away. */
  cut(): Promise<void>;
  /** Brings it back. */
  restore(): Promise<void>;
  /** Closes the proxy and this Sequelize (the scratch database itself stays). */
  close(): Promise<void>;
}

/** Wraps a scratch database in an outage switch. */
export async function createOutageDatabase(scratch: ScratchDatabase): Promise<OutageDatabase> {
  if (scratch.name === 'sqlite') return sqliteOutage(scratch);
  return mariadbOutage(scratch);
}

async function sqliteOutage(scratch: ScratchDatabase): Promise<OutageDatabase> {
  const sequelize = new Sequelize(scratch.url, { logging: false });
  let down = false;
  sequelize.addHook('beforeQuery', (options) => {
    // Ending a transaction still goes through: a lost connection rolls back, it does not hang on.
    if (down && !(options as { completesTransaction?: boolean }).completesTransaction) {
      throw Object.assign(new Error('SQLITE_CANTOPEN: the database is unavailable (test outage)'), { code: 'SQLITE_CANTOPEN' });
    }
  });
  return {
    db: { ...scratch, sequelize, drop: async () => sequelize.close() },
    cut: async () => {
      down = true;
    },
    restore: async () => {
      down = false;
    },
    close: () => sequelize.close(),
  };
}

async function mariadbOutage(scratch: ScratchDatabase): Promise<OutageDatabase> {
  const target = new URL(scratch.url);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 3306), target.hostname);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = new URL(scratch.url);
  url.port = String(port);
  const sequelize = new Sequelize(url.toString(), { logging: false, pool: { max: 10, acquire: 5000 } });
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return {
    db: { ...scratch, sequelize, url: url.toString(), drop: async () => sequelize.close() },
    async cut() {
      const closed = close();
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      await closed;
    },
    async restore() {
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
    },
    async close() {
      await sequelize.close();
      for (const socket of sockets) socket.destroy();
      if (server.listening) await close();
    },
  };
}
