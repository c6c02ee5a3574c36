import type { Sequelize } from 'sequelize';

/** Queries and their database time for one statement shape (e.g. `INSERT oneroster_students`). */
export interface QueryTally {
  count: number;
  /** Sum of the time from sending to the answer, in ms (overlaps with other work). */
  ms: number;
}

/** What a query counter saw. */
export interface QueryCounts {
  total: number;
  /** Per statement shape: verb and table. */
  byShape: Record<string, QueryTally>;
  /** Per run phase (pulling, planning, applying, done) as the run row records it. */
  byPhase: Record<string, QueryTally>;
  /** When each phase began, in ms since the counter was reset. */
  phaseStarts: Array<{ phase: string; atMs: number }>;
}

/** Counts every statement a Sequelize instance sends, by wrapping `sequelize.query`. */
export interface QueryCounter {
  /** Zeroes the counts and restarts the phase clock. */
  reset(): void;
  /** The counts so far. */
  read(): QueryCounts;
}

const PHASES = new Set(['pulling', 'planning', 'applying', 'done']);

/**
 * Wraps `sequelize.query` (every model call and raw query goes through it). It also notices the
 * run row's phase updates, so queries and time can be split by phase without touching the engine.
 */
export function countQueries(sequelize: Sequelize): QueryCounter {
  const original = sequelize.query.bind(sequelize) as (sql: unknown, options?: unknown) => Promise<unknown>;
  let counts = empty();
  let started = performance.now();
  let phase = 'start';

  (sequelize as unknown as { query: typeof original }).query = async (sql: unknown, options?: unknown) => {
    const text = typeof sql === 'string' ? sql : String((sql as { query?: string })?.query ?? '');
    // Model calls pass `{ query, bind }` as the statement; raw calls a string and options.
    const bind = (sql as { bind?: unknown })?.bind ?? (options as { bind?: unknown })?.bind;
    const seenPhase = phaseOf(text, bind);
    if (seenPhase && seenPhase !== phase) {
      phase = seenPhase;
      counts.phaseStarts.push({ phase, atMs: Math.round(performance.now() - started) });
    }
    const shapeKey = shape(text);
    const begin = performance.now();
    try {
      return await original(sql, options);
    } finally {
      const ms = performance.now() - begin;
      counts.total += 1;
      add(counts.byShape, shapeKey, ms);
      add(counts.byPhase, phase, ms);
    }
  };

  return {
    reset() {
      counts = empty();
      started = performance.now();
      phase = 'start';
    },
    read: () => structuredClone(counts),
  };
}

function empty(): QueryCounts {
  return { total: 0, byShape: {}, byPhase: {}, phaseStarts: [] };
}

function add(tallies: Record<string, QueryTally>, key: string, ms: number): void {
  const tally = (tallies[key] ??= { count: 0, ms: 0 });
  tally.count += 1;
  tally.ms += ms;
}

/** `INSERT oneroster_students`, `SELECT oneroster_staging`, `START TRANSACTION`… */
function shape(sql: string): string {
  const verb = /^\s*(\w+(?:\s+TRANSACTION)?)/i.exec(sql)?.[1]?.toUpperCase() ?? '?';
  const table = /\b(?:FROM|INTO|UPDATE)\s+[`"]?(\w+)/i.exec(sql)?.[1];
  return table ? `${verb} ${table}` : verb;
}

/** The phase an `UPDATE oneroster_runs` sets, if any (the model binds its values). */
function phaseOf(sql: string, values: unknown): string | null {
  // Anchored: an unanchored test would scan every 300 KB INSERT and bill the sync for it.
  if (!/^\s*UPDATE\s+[`"]?oneroster_runs/i.test(sql)) return null;
  const list = Array.isArray(values) ? values : values && typeof values === 'object' ? Object.values(values) : [];
  const found = list.find((value) => typeof value === 'string' && PHASES.has(value));
  if (typeof found === 'string') return found;
  const inline = /[`"]?phase[`"]?\s*=\s*'(\w+)'/i.exec(sql)?.[1];
  return inline && PHASES.has(inline) ? inline : null;
}
