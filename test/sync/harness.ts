import express, { type Express } from 'express';
import type { Sequelize } from 'sequelize';
import { createMigrator } from '../../migrations';
import type { ConfigService } from '../../server/config/config-service';
import type { ModuleContext } from '../../server/context';
import { DEFAULT_DISTRICT } from '../../server/domain/district';
import { errors } from '../../server/domain/errors';
import type { AutomationSettings, RunView } from '../../server/domain/contract';
import { buildRouter } from '../../server/http/router';
import { routeTable } from '../../server/http/routes';
import { createWidgetAssets } from '../../server/http/widget-assets';
import { resolveOptions, type OneRosterOptions } from '../../server/options';
import { ProviderError, type NormalizedOrg, type NormalizedPerson, type ProviderConnection, type PulledPage, type PullOptions } from '../../server/providers/types';
import type { AutomationService } from '../../server/schedule/automation-service';
import { createSequelizeRosterStore } from '../../server/store/sequelize-roster-store';
import { createSyncService, type SyncService } from '../../server/sync/sync-service';
import { createConsoleService } from '../../server/sync/console-service';
import { createMemoryLogger, MOUNT, TEST_ENCRYPTION_KEY } from '../helpers/app';
import type { ScratchDatabase } from '../helpers/databases';
import { assertCountsReconcile } from '../helpers/invariants';

/** A school as a provider would send it. */
export function school(sourcedId: string, overrides: Partial<NormalizedOrg> = {}): NormalizedOrg {
  return { sourcedId, status: 'active', name: `School ${sourcedId}`, type: 'school', identifier: `N-${sourcedId}`, parentSourcedId: null, dateLastModified: null, ...overrides };
}

/** A person as a provider would send them (a student of `org-1` unless told otherwise). */
export function person(sourcedId: string, overrides: Partial<NormalizedPerson> = {}): NormalizedPerson {
  return {
    sourcedId,
    status: 'active',
    dateLastModified: '2026-01-01T00:00:00.000Z',
    enabled: true,
    roles: ['student'],
    orgSourcedIds: ['org-1'],
    givenName: `Given${sourcedId}`,
    familyName: `Family${sourcedId}`,
    middleName: null,
    preferredFirstName: null,
    identifier: `num-${sourcedId}`,
    email: `${sourcedId}@example.org`,
    username: sourcedId,
    grades: ['05'],
    legacySourcedIds: [],
    userIds: {},
    primaryRole: true,
    roleBeginDate: null,
    ...overrides,
  };
}

/** What the fake provider serves; tests mutate it between syncs. */
export interface FakeDistrict {
  schools: NormalizedOrg[];
  /** Every org for `/orgs` (districts, departments). Defaults to the schools. */
  orgs?: NormalizedOrg[];
  /** People, or a function yielding them lazily (large districts). */
  people: NormalizedPerson[] | (() => Iterable<NormalizedPerson>);
}

/** How the fake provider misbehaves. */
export interface FakeBehaviour {
  /** Records per page. Defaults to 100. */
  pageSize?: number;
  /** Throw `server_error` after yielding this many pages of users. */
  failUsersAfterPages?: number;
  /** Refuse the delta filter with `delta_unsupported`. */
  deltaUnsupported?: boolean;
  /** Delay before each page, in ms. */
  pageDelayMs?: number;
  /** Called with the options of every users() pull. */
  onUsersPull?: (options: PullOptions) => void;
}

/** An in-memory `ProviderConnection` yielding pages, for fast engine tests. */
export function createFakeConnection(district: FakeDistrict, behaviour: FakeBehaviour = {}): ProviderConnection {
  const pageSize = behaviour.pageSize ?? 100;
  async function* pages<T>(records: Iterable<T>, total: number | null, failAfter?: number): AsyncIterable<PulledPage<T>> {
    let page: T[] = [];
    let received = 0;
    let yielded = 0;
    const emit = async () => {
      if (behaviour.pageDelayMs) await new Promise((resolve) => setTimeout(resolve, behaviour.pageDelayMs));
      received += page.length;
      const out: PulledPage<T> = { records: page, problems: [], total, received };
      page = [];
      yielded += 1;
      return out;
    };
    for (const record of records) {
      page.push(record);
      if (page.length === pageSize) {
        if (failAfter !== undefined && yielded >= failAfter) throw new ProviderError('server_error', 'The provider answered 503 mid-pull.', { status: 503 });
        yield await emit();
      }
    }
    if (failAfter !== undefined && yielded >= failAfter) throw new ProviderError('server_error', 'The provider answered 503 mid-pull.', { status: 503 });
    if (page.length > 0 || yielded === 0) yield await emit();
  }
  const connection: ProviderConnection = {
    provider: 'oneroster',
    version: '1.2',
    schools: () => pages(district.schools, district.schools.length),
    orgs: () => pages(district.orgs ?? district.schools, (district.orgs ?? district.schools).length),
    users(options: PullOptions = {}) {
      behaviour.onUsersPull?.(options);
      const source = typeof district.people === 'function' ? district.people() : district.people;
      if (options.since) {
        if (behaviour.deltaUnsupported) {
          return (async function* () {
            throw new ProviderError('delta_unsupported', 'The provider does not accept the dateLastModified filter.');
          })();
        }
        const since = options.since.getTime();
        const changed = [...source].filter((p) => p.dateLastModified !== null && Date.parse(p.dateLastModified) > since);
        return pages(changed, changed.length, behaviour.failUsersAfterPages);
      }
      const total = Array.isArray(source) ? source.length : null;
      return pages(source, total, behaviour.failUsersAfterPages);
    },
  };
  return connection;
}

/** A sync service on a scratch database with a stand-in config (any connection) and automation. */
export interface SyncHarness {
  sync: SyncService;
  ctx: ModuleContext;
  sequelize: Sequelize;
  app: Express;
  logger: ReturnType<typeof createMemoryLogger>;
  /** Automation settings the engine reads; tests change them. */
  settings: AutomationSettings;
  /** Runs the engine saw finish (onRunFinished). */
  finished: RunView[];
  /** Replaces the connection the stand-in config opens (null: not configured). */
  setConnection(connection: ProviderConnection | null): void;
}

/** Builds the harness (migrating the database). */
export async function createSyncHarness(
  db: ScratchDatabase,
  connection: ProviderConnection | null,
  overrides: Partial<OneRosterOptions> = {},
): Promise<SyncHarness> {
  const logger = createMemoryLogger();
  const finished: RunView[] = [];
  const options = resolveOptions(
    { sequelize: db.sequelize, encryptionKey: TEST_ENCRYPTION_KEY, logger, onRunFinished: (run) => void finished.push(run), ...overrides },
    logger,
  );
  const ctx: ModuleContext = {
    options,
    sequelize: db.sequelize,
    store: options.rosterStore ?? createSequelizeRosterStore(db.sequelize),
    logger,
    clock: options.clock,
    district: DEFAULT_DISTRICT,
  };
  await createMigrator(db.sequelize, logger).up();
  let current = connection;
  const config: ConfigService = {
    view: async () => ({ configured: current !== null, enabled: current !== null, config: null, classlinkAvailable: false, lastTest: null }),
    test: () => Promise.reject(new Error('not used')),
    save: () => Promise.reject(new Error('not used')),
    disable: () => Promise.reject(new Error('not used')),
    isEnabled: async () => current !== null,
    openConnection: async () => {
      if (!current) throw errors.notConfigured();
      return current;
    },
  } as ConfigService;
  const settings: AutomationSettings = {
    studentImport: true, staffImport: true, dailyTime: '02:00', timezone: 'UTC', fullSyncEvery: 7, paused: false, deactivateMissing: true, gradeMatrix: {}, districtOffices: true, orgBuildings: {},
  };
  const automation = {
    get: async () => ({ ...settings, nextRunAt: null }),
    update: () => Promise.reject(new Error('not used')),
    settings: async () => ({ ...settings }),
  } as unknown as AutomationService;
  const sync = createSyncService(ctx, config, automation);
  const app = express();
  app.use((req, _res, next) => {
    if (req.header('x-test-user') === 'admin') Object.assign(req, { user: { id: 1, name: 'Ada Admin', permissions: ['manage_settings'] } });
    next();
  });
  app.use(MOUNT, buildRouter(routeTable, { config, sync, automation, console: createConsoleService(ctx, config, automation, sync), widget: createWidgetAssets() }, options));
  return { sync, ctx, sequelize: db.sequelize, app, logger, settings, finished, setConnection: (c) => (current = c) };
}

/** Empties the roster and sync tables and frees the lease, so each test starts clean. */
export async function resetTables(sequelize: Sequelize): Promise<void> {
  for (const table of ['oneroster_staging', 'oneroster_run_issues', 'oneroster_runs', 'oneroster_staff', 'oneroster_students', 'oneroster_buildings']) {
    await sequelize.query(`DELETE FROM ${table}`);
  }
  await sequelize.query('UPDATE oneroster_sync_lease SET holder_id = NULL, run_id = NULL, expires_at_ms = NULL');
}

/** Rows of a roster table, by sourcedId (sis_id for buildings). */
export async function rosterRows(sequelize: Sequelize, table: 'students' | 'staff' | 'buildings'): Promise<Array<Record<string, unknown>>> {
  const [rows] = await sequelize.query(`SELECT * FROM oneroster_${table} ORDER BY id`);
  return (rows as Array<Record<string, unknown>>).map((row) => ({ ...row, active: Boolean(Number(row.active)), enabled: row.enabled === undefined ? undefined : Boolean(Number(row.enabled)) }));
}

/** Starts a building sync and waits for it. */
export async function syncBuildingsNow(h: SyncHarness): Promise<RunView> {
  const run = await h.sync.startBuildingSync({ trigger: 'manual', user: { id: 1, name: 'Ada Admin' } });
  return assertCountsReconcile(await h.sync.waitForRun(run.id));
}

/** Starts a user sync and waits for it. */
export async function syncUsersNow(h: SyncHarness, request: { mode?: 'full' | 'delta'; dryRun?: boolean; kinds?: Array<'students' | 'staff'> } = {}): Promise<RunView> {
  const run = await h.sync.startUserSync({ trigger: 'manual', user: { id: 1, name: 'Ada Admin' }, ...request });
  const done = await h.sync.waitForRun(run.id);
  await h.sync.whenIdle();
  return assertCountsReconcile(done);
}
