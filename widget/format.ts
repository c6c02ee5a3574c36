import type { KindCounts, RecordKind, RunKind, RunSummary } from '../server/domain/contract';

/** A date and time in the viewer's locale, in `timeZone` when given (an ISO string in, text out). */
export function formatDateTime(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  const parts: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' };
  try {
    // dateStyle/timeStyle cannot be combined with timeZoneName, hence the explicit parts.
    return new Intl.DateTimeFormat(undefined, timeZone ? { ...parts, weekday: 'short', timeZone, timeZoneName: 'short' } : parts).format(date);
  } catch {
    return new Intl.DateTimeFormat(undefined, parts).format(date);
  }
}

/** A duration in words short enough for a table cell: `850 ms`, `12 s`, `3 min 4 s`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A whole number with the viewer's grouping (1,234). */
export function formatNumber(value: number): string {
  return new Intl.NumberFormat().format(value);
}

/** Names of run kinds. */
export const RUN_KIND_LABELS: Record<RunKind, string> = { buildings: 'Buildings', users: 'Students and staff' };

/** Short names of run kinds, for table cells. */
export const RUN_KIND_SHORT_LABELS: Record<RunKind, string> = { buildings: 'Buildings', users: 'Users' };

/** Names of record kinds. */
export const RECORD_KIND_LABELS: Record<RecordKind, string> = { buildings: 'Buildings', students: 'Students', staff: 'Staff' };

/** The count columns, in the order tables show them. */
export const COUNT_COLUMNS: Array<{ key: keyof KindCounts; label: string }> = [
  { key: 'created', label: 'Created' },
  { key: 'updated', label: 'Updated' },
  { key: 'unchanged', label: 'Unchanged' },
  { key: 'linked', label: 'Linked' },
  { key: 'rekeyed', label: 'Re-keyed' },
  { key: 'merged', label: 'Merged' },
  { key: 'reactivated', label: 'Reactivated' },
  { key: 'deactivated', label: 'Deactivated' },
  { key: 'disabled', label: 'Disabled' },
  { key: 'skipped', label: 'Skipped' },
];

/** Sums each count over the kinds a run touched. */
export function totalCounts(kinds: Partial<Record<RecordKind, KindCounts>>): KindCounts {
  const total: KindCounts = { created: 0, updated: 0, unchanged: 0, linked: 0, rekeyed: 0, merged: 0, reactivated: 0, deactivated: 0, disabled: 0, skipped: 0 };
  for (const counts of Object.values(kinds)) {
    if (!counts) continue;
    for (const { key } of COUNT_COLUMNS) total[key] += Number(counts[key]) || 0;
  }
  return total;
}

/** A one-line digest of a run's counts for the history table, e.g. `12 created · 3 updated`. */
export function countsDigest(run: Pick<RunSummary, 'counts'>): string {
  const total = totalCounts(run.counts?.kinds ?? {});
  const parts = (['created', 'updated', 'linked', 'reactivated', 'deactivated', 'disabled', 'skipped'] as const)
    .filter((key) => total[key] > 0)
    .map((key) => `${formatNumber(total[key])} ${key}`);
  return parts.length ? parts.join(' · ') : 'No changes';
}

/** The record kinds present in a counts map, in a stable order. */
export function presentKinds<T>(kinds: Partial<Record<RecordKind, T>> | null | undefined): RecordKind[] {
  return (['buildings', 'students', 'staff'] as const).filter((kind) => kinds?.[kind] !== undefined);
}

/** How long ago an instant was, in words ("5 minutes ago", "2 days ago"). */
export function formatAge(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  const units: Array<[Intl.RelativeTimeFormatUnit, number]> = [['day', 86400], ['hour', 3600], ['minute', 60]];
  const words = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  for (const [unit, size] of units) if (seconds >= size) return words.format(-Math.floor(seconds / size), unit);
  return 'just now';
}
