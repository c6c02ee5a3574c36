import type { ModuleContext } from '../context';
import type { ConfigService } from '../config/config-service';
import type { AutomationService } from '../schedule/automation-service';
import { errors, OneRosterError } from '../domain/errors';
import type { OneRosterUser } from '../options';
import { createAuditLog } from '../config/audit-log';
import type { ConsoleStatus, ListResponse, RunCounts, RunKind, RunListQuery, RunMode, RunStatus, RunSummary, RunTrigger, RunView } from '../domain/contract';
import type { ProviderConnection } from '../providers/types';
import type { PersonKind } from '../store/roster-store';
import { createSql } from '../store/sql';
import { readConsoleStatus } from './console-status';
import { presentRun, presentRunSummary } from './present-run';
import { approveHeldRun, decisionPatch, plannedDeactivations } from './held-runs';
import type { RunJob, SyncDeps } from './run-job';
import { createRunLifecycle, type RunBody, type StopReason } from './run-lifecycle';
import { createRunRecords, ENDED, type RunRecord } from './run-records';
import { createStagingArea } from './staging-area';
import { syncBuildings } from './sync-buildings';
import { createSyncLease, type HeldLease } from './sync-lease';
import { syncUsers } from './sync-users';

/** Who or what starts a run. */
export interface RunRequest {
  /** What started it. */
  trigger: RunTrigger;
  /** The admin who asked (null for the scheduler). */
  user: OneRosterUser | null;
}

/** A user-sync request. */
export interface UserRunRequest extends RunRequest {
  /** Full or delta. Defaults to full. */
  mode?: RunMode;
  /** Plan only. */
  dryRun?: boolean;
  /** Which kinds to sync. Defaults to both: the automatic-import toggles govern only the daily job (which passes them). */
  kinds?: Array<'students' | 'staff'>;
}

/** Sync runs: one code path for the buttons, the scheduler and the CLI. */
export interface SyncService {
  /** Queues and starts a building sync in the background; resolves with the queued run. 409 when one runs. */
  startBuildingSync(request: RunRequest): Promise<RunView>;
  /** Queues and starts a user sync; 409 `buildings_not_synced` before the first successful building sync. */
  startUserSync(request: UserRunRequest): Promise<RunView>;
  /** History, newest first (20 runs from the newest unless the query says otherwise). */
  listRuns(query: RunListQuery): Promise<ListResponse<RunSummary>>;
  /** One run; 404 when unknown. */
  getRun(id: number): Promise<RunView>;
  /** Applies a held run's plan. */
  approve(id: number, user: OneRosterUser): Promise<RunView>;
  /**
   * Discards a held or queued run, or stops a running one at its next page or batch (it ends
   * `cancelled`; each batch is applied whole or not at all). A run on another server notices at
   * its next lease heartbeat (a third of `leaseTtlMs`).
   */
  cancel(id: number, user: OneRosterUser): Promise<RunView>;
  /** Stops the running run, wherever it runs, because OneRoster was turned off: it ends `cancelled`. */
  stopForDisable(): Promise<void>;
  /**
   * Marks runs left `queued`/`running` by a process that died as failed (`interrupted`), when no
   * live lease covers them. Called at start-up and by the scheduler's periodic check; returns their ids.
   */
  recoverInterrupted(): Promise<number[]>;
  /** Aborts the runs this process is doing (they end `failed`, `shutdown`) and waits for them to end. */
  shutdown(): Promise<void>;
  /** The latest runs and freshness, for `GET /config`. */
  status(): Promise<ConsoleStatus & { lastBuildingSync: RunSummary | null; lastUserSync: RunSummary | null; lastSuccessfulSyncAt: string | null; buildingsSynced: boolean }>;
  /** The run that is queued or running now, in this or any other process (null when none). */
  activeRun(): Promise<RunSummary | null>;
  /** Resolves with the run once it has ended (succeeded, failed, held or cancelled). */
  waitForRun(id: number): Promise<RunView>;
  /** When the last full user pull succeeded, so the scheduler knows when the next full one is due. */
  lastFullUserSyncAt(): Promise<Date | null>;
  /** Resolves when runs started by this process have finished (tests, shutdown). */
  whenIdle(): Promise<void>;
  /** Whether this process is doing background work of this service now (a run, a staging cleanup). */
  busy(): boolean;
  /**
   * Runs a settings change (test-and-save, turning OneRoster off) under the sync lease, so no run
   * starts or reads settings in the middle of it; another change in progress is waited for (up to
   * `leaseTtlMs`). While a sync runs: calls `whileRunning` instead when given, or answers 409
   * `sync_in_progress`.
   */
  whileNoSyncRuns<T>(change: () => Promise<T>, whileRunning?: () => Promise<T>): Promise<T>;
}

/** How often `waitForRun` first reads the run row, and how seldom at most. */
const POLL_MS = 50;
const MAX_POLL_MS = 1000;
/** How long a refused start waits for the winning start to name its run (for the 409 details). */
const NAME_RUN_WAIT_MS = 5000;
/** Recent successful user runs searched for each kind's delta watermark. */
const WATERMARK_RUNS = 100;

/**
 * The sync service: starts runs in the background under the installation-wide lease, records them,
 * and resolves held runs. Pull → stage → plan → safeguard → apply, see `sync-users.ts`.
 */
export function createSyncService(ctx: ModuleContext, config: ConfigService, automation: AutomationService): SyncService {
  const { options, logger, clock } = ctx;
  const records = createRunRecords(ctx.sequelize, ctx.district);
  const staging = createStagingArea(ctx.sequelize, ctx.district);
  const lease = createSyncLease(ctx.sequelize, { ttlMs: options.leaseTtlMs, logger, district: ctx.district });
  const deps: SyncDeps = { options, store: ctx.store, staging, records, now: () => clock.now() };
  const sql = createSql(ctx.sequelize);
  const audit = createAuditLog(ctx.sequelize, ctx.district);
  const lifecycle = createRunLifecycle({ ctx, records, staging, sql, view });
  const { track, notifyFinished } = lifecycle;

  async function view(id: number): Promise<RunView> {
    const run = await records.find(id);
    if (!run) throw errors.notFound('run');
    return presentRun(run, await records.issues(id, options.maxRunIssues));
  }

  /**
   * Opens the provider connection before anything is queued, so "not configured" answers 409.
   * Any other failure is left for the run to record, as a failed run the admin can read.
   */
  async function connect(): Promise<() => Promise<ProviderConnection>> {
    try {
      const connection = await config.openConnection();
      return () => Promise.resolve(connection);
    } catch (err) {
      if (err instanceof OneRosterError) throw err;
      return () => Promise.reject(err);
    }
  }

  /** Takes the lease or answers 409 naming the run that holds it (or saying the settings are being saved). */
  async function takeLease(purpose: 'run' | 'settings' = 'run'): Promise<HeldLease> {
    const held = await lease.acquire(purpose);
    if (held) return held;
    if ((await lease.state()).purpose === 'settings') throw errors.settingsBeingSaved();
    // The winner attaches its run a moment after taking the lease: wait briefly to name it
    // (a deadline, not a count of tries, so a busy database still gets its few seconds).
    const deadline = Date.now() + NAME_RUN_WAIT_MS;
    let state = await lease.state();
    while (state.live && state.runId === null && state.purpose === 'run' && Date.now() < deadline) {
      await sleep(20);
      state = await lease.state();
    }
    // A quick run can start and end between two looks: runs are only created under the lease,
    // so the newest run is the one that beat us.
    const runId = state.runId ?? (state.live ? null : ((await records.latest({}))?.id ?? null));
    throw errors.syncInProgress(runId);
  }

  /** Whoever takes the lease owns every queued or running run: those were left by a process that died. */
  async function repairInterrupted(): Promise<number[]> {
    const ids = await records.failInterrupted(clock.now(), null);
    for (const id of ids) {
      logger.warn('oneroster run interrupted: its process stopped', { runId: id });
      track(staging.discard(id));
      await notifyFinished(id);
    }
    return ids;
  }

  /**
   * Starts a run under the lease. `prepare` runs once the lease is held, so the settings it reads
   * (the provider connection) cannot change under the run: a configuration save takes the lease too.
   */
  async function launch(
    spec: { kind: RunKind; mode: RunMode; dryRun: boolean; request: RunRequest },
    prepare: () => Promise<RunBody>,
  ): Promise<RunView> {
    const held = await takeLease();
    let run: RunRecord;
    let body: RunBody;
    try {
      body = await prepare();
      // Under the lease, so a disable that committed before we took it is always seen (after
      // prepare, so an installation with nothing configured still answers `not_configured`).
      if (!(await config.isEnabled())) throw errors.disabled();
      await repairInterrupted();
      run = await records.create(
        {
          kind: spec.kind,
          runTrigger: spec.request.trigger,
          requestedById: spec.request.user ? String(spec.request.user.id).slice(0, 64) : null,
          requestedByName: spec.request.user?.name?.slice(0, 255) ?? null,
          mode: spec.mode,
          dryRun: spec.dryRun,
        },
        clock.now(),
      );
      await held.attachRun(run.id);
      if (!spec.dryRun) await supersedeHeld(spec.kind, run.id);
    } catch (err) {
      await held.release();
      throw err;
    }
    lifecycle.start(run.id, held, body);
    return presentRun(run, []);
  }

  /**
   * At most one plan waits: a newer run of the same kind replaces the held one (its plan would be
   * stale once the newer run applies, and the daily job would otherwise pile one up every night).
   */
  async function supersedeHeld(kind: RunKind, byRunId: number): Promise<void> {
    const ids = await records.supersedeHeld(kind, byRunId, clock.now());
    for (const id of ids) {
      logger.info('oneroster held run superseded', { runId: id, by: byRunId });
      track(staging.discard(id));
    }
  }

  /** Notes how many people are active after a user run applied, for the Automation Status chart. */
  async function noteActiveCounts(job: RunJob): Promise<void> {
    const [students, staff] = await Promise.all([ctx.store.countActivePeople('students'), ctx.store.countActivePeople('staff')]);
    await job.update({ activeAfter: JSON.stringify({ students, staff }) });
  }

  /**
   * Stops a running run: at once when this process runs it, else through the lease row (its
   * server notices at the next heartbeat). False when nobody holds a live lease for it.
   */
  async function stopRun(runId: number, reason: StopReason): Promise<boolean> {
    return lifecycle.stopLocal(runId, reason) || lease.requestStop(runId);
  }

  /** Marks runs no live lease covers (their process died) as failed `interrupted`; see `SyncService`. */
  async function recoverInterrupted(): Promise<number[]> {
    // Cheap reads first: taking the lease for nothing could make a start racing us answer 409.
    if ((await lease.state()).live) return [];
    if (!(await records.latest({ status: 'running' })) && !(await records.latest({ status: 'queued' }))) return [];
    const held = await lease.acquire();
    if (!held) return []; // a live run: nothing is dead
    try {
      return await repairInterrupted();
    } finally {
      await held.release().catch(() => {});
    }
  }

  /**
   * Where a delta pull starts: each kind keeps its own watermark (the start of the newest applied
   * user run that synced it, so a students-only run does not move staff's), the earliest of the
   * kinds asked for, less the safety overlap for clock skew. Null when a kind was never synced.
   */
  async function deltaWatermark(kinds: readonly PersonKind[]): Promise<Date | null> {
    const { rows } = await records.list({ kind: 'users', status: 'succeeded', limit: WATERMARK_RUNS, offset: 0 });
    let earliest: number | null = null;
    for (const kind of kinds) {
      const run = rows.find((r) => !r.dryRun && r.startedAt && (JSON.parse(r.counts ?? '{}') as Partial<RunCounts>).kinds?.[kind]);
      if (!run) return null;
      earliest = Math.min(earliest ?? Infinity, run.startedAt!.getTime());
    }
    return earliest === null ? null : new Date(earliest - options.deltaOverlapMs);
  }

  async function activeRun(): Promise<RunSummary | null> {
    const state = await lease.state();
    if (!state.live || state.runId === null) return null;
    const run = await records.find(state.runId);
    return run && (run.status === 'queued' || run.status === 'running') ? presentRunSummary(run) : null;
  }

  async function sleep(ms: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
  }

  return {
    async startBuildingSync(request) {
      return launch({ kind: 'buildings', mode: 'full', dryRun: false, request }, async () => {
        const open = await connect();
        const { districtOffices } = await automation.settings();
        return async (job) => syncBuildings(deps, job, await open(), { districtOffices });
      });
    },

    async startUserSync(request) {
      const mode = request.mode ?? 'full';
      const dryRun = request.dryRun ?? false;
      return launch({ kind: 'users', mode, dryRun, request }, async () => {
        const open = await connect();
        if (!(await records.latest({ kind: 'buildings', status: 'succeeded', dryRun: false }))) throw errors.buildingsNotSynced();
        const settings = await automation.settings();
        // The automatic-import toggles are about the daily job, which passes its kinds; an admin's
        // Sync Users imports both unless they pick one.
        const wanted = request.kinds ?? ['students', 'staff'];
        const kinds: PersonKind[] = (['students', 'staff'] as const).filter((kind) => wanted.includes(kind));
        if (kinds.length === 0) throw errors.nothingToSync();
        const since = mode === 'delta' ? await deltaWatermark(kinds) : null;
        return async (job) => {
          const outcome = await syncUsers(deps, job, await open(), {
            kinds, mode, since, dryRun, deactivateMissing: settings.deactivateMissing, gradeMatrix: settings.gradeMatrix, orgBuildings: settings.orgBuildings,
          });
          if (outcome.status === 'succeeded' && !dryRun) await noteActiveCounts(job);
          return outcome;
        };
      });
    },

    async listRuns(query) {
      const { total, rows } = await records.list({ ...query, limit: query.limit ?? 20, offset: query.offset ?? 0 });
      return { total, items: rows.map(presentRunSummary) };
    },

    getRun: view,

    approve: (id, user) =>
      approveHeldRun(
        {
          records, syncDeps: deps, lifecycle, audit, logger, clock,
          takeLease: () => takeLease(), isEnabled: () => config.isEnabled(), repairInterrupted, noteActiveCounts, view,
        },
        id,
        user,
      ),

    async cancel(id, user) {
      const run = await records.find(id);
      if (!run) throw errors.notFound('run');
      if (run.status === 'running') {
        if (!(await stopRun(id, 'cancelled'))) {
          // Nobody runs it any more: its process died. Mark it so instead.
          await recoverInterrupted();
        }
        logger.info('oneroster run stop requested', { runId: id, by: String(user.id) });
        return view(id);
      }
      if (run.status !== 'held' && run.status !== 'queued') throw errors.runNotCancellable(run.status);
      const now = clock.now();
      const decided = run.status === 'held' ? decisionPatch(run, 'cancelled', user, clock) : {};
      const cancelled = await records.update(id, { ...decided, status: 'cancelled', phase: 'done', finishedAt: now, updatedAt: now }, [run.status]);
      if (!cancelled) throw errors.runNotCancellable((await records.find(id))?.status ?? 'gone');
      logger.info('oneroster run cancelled', { runId: id, by: String(user.id) });
      await audit.record('run_cancelled', user, { runId: id, kind: run.kind, was: run.status, deactivations: plannedDeactivations(run) });
      if (run.status === 'held') {
        track(staging.discard(id));
        await notifyFinished(id);
      }
      return view(id);
    },

    async stopForDisable() {
      // A run that took the lease just before the disable committed names itself a moment later.
      const deadline = Date.now() + NAME_RUN_WAIT_MS;
      let state = await lease.state();
      while (state.live && state.runId === null && Date.now() < deadline) {
        await sleep(20);
        state = await lease.state();
      }
      if (state.live && state.runId !== null && (await stopRun(state.runId, 'disabled'))) {
        logger.info('oneroster run stopped: OneRoster was turned off', { runId: state.runId });
      }
    },

    recoverInterrupted,

    shutdown: () => lifecycle.shutdown(),

    async status() {
      const [attention, building, users, success, synced] = await Promise.all([
        readConsoleStatus({
          records,
          activeRun: async () => {
            const active = await activeRun();
            return active ? view(active.id) : null;
          },
          view,
          isEnabled: () => config.isEnabled(),
          settings: () => automation.settings(),
          now: clock.now(),
        }),
        records.latest({ kind: 'buildings' }),
        records.latest({ kind: 'users' }),
        records.latest({ status: 'succeeded', dryRun: false }),
        records.latest({ kind: 'buildings', status: 'succeeded', dryRun: false }),
      ]);
      return {
        ...attention,
        lastBuildingSync: building ? presentRunSummary(building) : null,
        lastUserSync: users ? presentRunSummary(users) : null,
        lastSuccessfulSyncAt: success?.finishedAt?.toISOString() ?? null,
        buildingsSynced: synced !== null,
      };
    },

    activeRun,

    async waitForRun(id) {
      // Quick to notice a short run, light on the database during a long one.
      for (let wait = POLL_MS; ; wait = Math.min(wait * 1.5, MAX_POLL_MS)) {
        const run = await records.find(id);
        if (!run) throw errors.notFound('run');
        if (ENDED.includes(run.status)) return presentRun(run, await records.issues(id, options.maxRunIssues));
        await sleep(wait);
      }
    },

    async lastFullUserSyncAt() {
      const run = await records.latest({ kind: 'users', status: 'succeeded', dryRun: false, mode: 'full' });
      return run?.startedAt ?? null;
    },

    async whileNoSyncRuns(change, whileRunning) {
      // Two admins saving at once take turns (a save is seconds); a running sync answers 409.
      const deadline = Date.now() + options.leaseTtlMs;
      let held = await lease.acquire('settings');
      while (!held && Date.now() < deadline && (await lease.state()).purpose === 'settings') {
        await sleep(50);
        held = await lease.acquire('settings');
      }
      if (!held) {
        try {
          held = await takeLease('settings');
        } catch (err) {
          if (whileRunning && err instanceof OneRosterError && err.code === 'sync_in_progress') return whileRunning();
          throw err;
        }
      }
      try {
        return await change();
      } finally {
        await held.release();
      }
    },

    whenIdle: () => lifecycle.whenIdle(),

    busy: () => lifecycle.busy(),
  };
}
