import type { RunView } from '../server/domain/contract';
import { writeLine, type OutputStream } from './io';

/** Shows a running sync's progress as it is polled. */
export interface ProgressReporter {
  /** Called with every poll of the run. */
  update(run: RunView): void;
  /** Called once with the ended run, before the summary. */
  finish(run: RunView): void;
}

/**
 * A bar redrawn in place on a terminal, or timestamped lines (phase changes, and at most one
 * line per interval otherwise) when the output is a file or a pipe, so logs stay readable.
 */
export function createProgressReporter(stream: OutputStream, now: () => number, plainIntervalMs: number): ProgressReporter {
  return stream.isTTY ? createBarReporter(stream, now) : createLineReporter(stream, now, plainIntervalMs);
}

function createBarReporter(stream: OutputStream, now: () => number): ProgressReporter {
  const rate = createRateMeter(now);
  let drawn = false;
  const draw = (run: RunView) => {
    const width = Math.max(40, Math.min(stream.columns ?? 80, 120));
    const head = `#${run.id} ${run.kind} ${run.phase.padEnd(8)}`;
    const counts = formatCounts(run);
    const speed = formatRate(rate(run.progress.processed));
    const barWidth = Math.max(10, width - head.length - counts.length - speed.length - 12);
    const line = `${head} ${counts} ${drawBar(run, barWidth)} ${speed}`;
    // \r + erase line: redraw in place without scrolling.
    stream.write(`\r\x1b[2K${line.slice(0, width - 1)}`);
    drawn = true;
  };
  return {
    update: draw,
    finish(run) {
      draw(run);
      if (drawn) stream.write('\n');
    },
  };
}

function createLineReporter(stream: OutputStream, now: () => number, intervalMs: number): ProgressReporter {
  const rate = createRateMeter(now);
  let lastKey = '';
  let lastAt = -Infinity;
  let lastProcessed = -1;
  const line = (run: RunView, force: boolean) => {
    const key = `${run.status}/${run.phase}`;
    const due = now() - lastAt >= intervalMs && run.progress.processed !== lastProcessed;
    if (!force && key === lastKey && !due) return;
    lastKey = key;
    lastAt = now();
    lastProcessed = run.progress.processed;
    const state = run.status === 'running' ? run.phase : run.status;
    const speed = formatRate(rate(run.progress.processed));
    writeLine(stream, `${new Date(now()).toISOString()} run #${run.id} ${run.kind}: ${state} ${formatCounts(run)}${speed ? ` ${speed}` : ''}`);
  };
  return { update: (run) => line(run, false), finish: (run) => line(run, true) };
}

/** `1,234/5,000 (24%)`, or `1,234 records` when the provider did not say the total. */
function formatCounts(run: RunView): string {
  const { processed, total } = run.progress;
  if (total === null || total <= 0) return `${processed.toLocaleString('en-US')} records`;
  const percent = Math.min(100, Math.floor((processed / total) * 100));
  return `${processed.toLocaleString('en-US')}/${total.toLocaleString('en-US')} (${percent}%)`;
}

function drawBar(run: RunView, width: number): string {
  const { processed, total } = run.progress;
  const inner = width - 2;
  if (total === null || total <= 0) return `[${'·'.repeat(inner)}]`;
  const filled = Math.min(inner, Math.round((processed / total) * inner));
  return `[${'█'.repeat(filled)}${'░'.repeat(inner - filled)}]`;
}

/** Records per second since progress was first seen. */
function createRateMeter(now: () => number): (processed: number) => number | null {
  let start: { at: number; processed: number } | null = null;
  return (processed) => {
    if (!start) start = { at: now(), processed };
    const seconds = (now() - start.at) / 1000;
    return seconds >= 0.5 ? (processed - start.processed) / seconds : null;
  };
}

function formatRate(perSecond: number | null): string {
  return perSecond === null ? '' : `${Math.round(perSecond).toLocaleString('en-US')}/s`;
}
