/**
 * One server of the fleet proof (test/districts/fleet.test.ts and `npm run bench -- --fleet`): a module instance on the
 * database at argv, and a fleet scheduler over every district with a saved configuration. It says
 * `{"event":"ready"}`, starts on a `go` line on stdin, reports each daily run as
 * `{"event":"run","district","start","end","outcome"}` (its own clock, ms), and stops on `stop`,
 * saying `{"event":"stopped"}`.
 */
import { createInterface } from 'node:readline';
import { Sequelize } from 'sequelize';
import { bullmqRunner, createFleetScheduler, createOneRoster, databaseRunner } from '../server';
import { FLEET_ENCRYPTION_KEY } from './fleet-kit';

/** What the parent tells a worker on its command line (JSON). */
export interface FleetWorkerArgs {
  url: string;
  name: string;
  runner: 'database' | 'bullmq';
  redisPort?: number;
  queueName?: string;
  maxConcurrentRuns: number;
  /** How often each worker looks for due slots, in ms. */
  tickMs?: number;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2]!) as FleetWorkerArgs;
  const say = (message: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(message)}\n`);
  const sequelize = new Sequelize(args.url, { logging: false, pool: { max: 8 } });
  const quiet = { debug: () => {}, info: () => {}, warn: (m: string, meta?: unknown) => process.stderr.write(`warn ${m} ${JSON.stringify(meta)}\n`), error: (m: string, meta?: unknown) => process.stderr.write(`error ${m} ${JSON.stringify(meta)}\n`) };
  const oneroster = createOneRoster({
    sequelize, encryptionKey: FLEET_ENCRYPTION_KEY, logger: quiet,
    network: { allowHttp: 'loopback', allowLoopback: true }, http: { retryBaseMs: 5, retryMaxMs: 50, timeoutMs: 20_000, pageSize: 1000 },
  });
  const started = new Map<string, number>();
  const fleet = createFleetScheduler({
    listDistricts: () => oneroster.listDistricts(),
    instanceFor: () => oneroster,
    runner: args.runner === 'bullmq'
      ? bullmqRunner({ connection: { host: '127.0.0.1', port: args.redisPort, maxRetriesPerRequest: null }, queueName: args.queueName })
      : databaseRunner(),
    maxConcurrentRuns: args.maxConcurrentRuns,
    jitterMs: 0,
    tickMs: args.tickMs ?? 2000,
    instanceName: args.name,
    logger: quiet,
    onRun: (event) => {
      if (event.type === 'started') started.set(event.district, Date.now());
      else say({ event: 'run', district: event.district, start: started.get(event.district), end: Date.now(), outcome: event.outcome });
    },
  });
  await sequelize.authenticate();
  say({ event: 'ready' });
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === 'go') await fleet.start();
    else if (line.trim() === 'stop') break;
  }
  await fleet.stop();
  await oneroster.close();
  await sequelize.close();
  say({ event: 'stopped' });
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
