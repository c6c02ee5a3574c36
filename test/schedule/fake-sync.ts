import { OneRosterError } from '../../server/domain/errors';
import type { OneRosterErrorCode, RunKind, RunMode, RunStatus, RunView } from '../../server/domain/contract';
import type { RunRequest, SyncService, UserRunRequest } from '../../server/sync/sync-service';

/** One start call the fake received. */
export interface RecordedStart {
  kind: RunKind;
  trigger: RunRequest['trigger'];
  mode?: RunMode;
  kinds?: Array<'students' | 'staff'>;
}

/** What the next start of a kind does instead of succeeding. */
type Behaviour = { refuse: OneRosterErrorCode } | { throw: Error } | { endWith: RunStatus };

/**
 * A SyncService stand-in for scheduler tests: records every start, and can refuse (409 code),
 * throw, or end a run with a status on demand. The unit under test is the scheduler, not the
 * engine, so this is all it needs of one.
 */
export interface FakeSync extends SyncService {
  /** Every start, in order. */
  starts: RecordedStart[];
  /** The next start of this kind refuses, throws or ends with a status (once). */
  next(kind: RunKind, behaviour: Behaviour): void;
  /** What `lastFullUserSyncAt()` answers. */
  lastFull: Date | null;
  /** Called on each successful start (the multi-process worker records runs in a shared table). */
  onStart?: (start: RecordedStart) => Promise<void>;
}

/** A minimal run as the engine would answer it. */
export function fakeRun(id: number, kind: RunKind, status: RunStatus, mode: RunMode = 'full'): RunView {
  const now = new Date().toISOString();
  return {
    id,
    kind,
    status,
    trigger: 'schedule',
    mode,
    dryRun: false,
    requestedBy: null,
    createdAt: now,
    startedAt: now,
    finishedAt: status === 'queued' ? null : now,
    durationMs: 0,
    decision: null,
    supersededBy: null,
    counts: { kinds: {}, skippedBySchool: {}, ignoredRoles: {}, unmatchedBuildings: [] },
    error: status === 'failed' ? { code: 'provider_unreachable', message: 'The provider did not answer.' } : null,
    phase: 'done',
    progress: { processed: 0, total: null },
    issues: [],
    issueCount: 0,
    plan: null,
  };
}

/** Builds a fresh fake whose runs all succeed unless told otherwise. */
export function createFakeSync(): FakeSync {
  const behaviours = new Map<RunKind, Behaviour>();
  const finals = new Map<number, RunView>();
  let nextId = 1;
  const notImplemented = () => Promise.reject(new Error('not part of the fake'));

  const fake: FakeSync = {
    starts: [],
    lastFull: null,
    next(kind, behaviour) {
      behaviours.set(kind, behaviour);
    },
    startBuildingSync: (request) => start({ kind: 'buildings', trigger: request.trigger }),
    startUserSync: (request: UserRunRequest) =>
      start({ kind: 'users', trigger: request.trigger, mode: request.mode, kinds: request.kinds }),
    async waitForRun(id) {
      const run = finals.get(id);
      if (!run) throw new Error(`fake: no run ${id}`);
      return run;
    },
    lastFullUserSyncAt: async () => fake.lastFull,
    activeRun: async () => null,
    listRuns: notImplemented,
    getRun: notImplemented,
    approve: notImplemented,
    cancel: notImplemented,
    stopForDisable: async () => {},
    recoverInterrupted: async () => [],
    shutdown: async () => {},
    status: notImplemented,
    whenIdle: async () => {},
    busy: () => false,
    whileNoSyncRuns: notImplemented,
  };

  async function start(recorded: RecordedStart): Promise<RunView> {
    const behaviour = behaviours.get(recorded.kind);
    behaviours.delete(recorded.kind);
    if (behaviour && 'throw' in behaviour) throw behaviour.throw;
    if (behaviour && 'refuse' in behaviour) throw new OneRosterError(409, behaviour.refuse, `refused: ${behaviour.refuse}`);
    fake.starts.push(recorded);
    await fake.onStart?.(recorded);
    const id = nextId++;
    const status = behaviour && 'endWith' in behaviour ? behaviour.endWith : 'succeeded';
    finals.set(id, fakeRun(id, recorded.kind, status, recorded.mode));
    return fakeRun(id, recorded.kind, 'queued', recorded.mode);
  }

  return fake;
}
