import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { ChildCommand, ChildEvent } from './sync-child';

const CHILD = path.join(__dirname, 'sync-child.ts');
const PROJECT_ROOT = path.join(__dirname, '..', '..');

/** A running `sync-child.ts` process and what it has said so far. */
export interface SyncChild {
  process: ChildProcessWithoutNullStreams;
  events: ChildEvent[];
  /** Resolves with the first event (already said or to come) that matches. */
  next<K extends ChildEvent['event']>(event: K, timeoutMs?: number): Promise<Extract<ChildEvent, { event: K }>>;
  /** Resolves with the exit code or signal once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it wrote on stderr. */
  stderr(): string;
}

/** Starts a child server process on the same database (`node -r tsx/cjs`, no compile step). */
export function spawnSyncChild(command: ChildCommand): SyncChild {
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', CHILD, JSON.stringify(command)], { cwd: PROJECT_ROOT });
  const events: ChildEvent[] = [];
  const waiters: Array<{ match: (e: ChildEvent) => boolean; resolve: (e: ChildEvent) => void }> = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    let event: ChildEvent;
    try {
      event = JSON.parse(line) as ChildEvent;
    } catch {
      return; // a stray line (a library's warning) is not an event
    }
    events.push(event);
    for (const waiter of [...waiters]) {
      if (waiter.match(event)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    process: child,
    events,
    exited,
    stderr: () => stderr,
    next(event, timeoutMs = 30_000) {
      type Wanted = Extract<ChildEvent, { event: typeof event }>;
      const said = events.find((e) => e.event === event);
      if (said) return Promise.resolve(said as Wanted);
      return new Promise<Wanted>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`child ${child.pid} did not say "${event}" within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`)), timeoutMs);
        void exited.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(new Error(`child ${child.pid} exited (${code ?? signal}) before saying "${event}"; events: ${JSON.stringify(events)}; stderr: ${stderr.slice(-2000)}`));
        });
        waiters.push({
          match: (e) => e.event === event,
          resolve: (e) => {
            clearTimeout(timer);
            resolve(e as Wanted);
          },
        });
      });
    },
  };
}

/** Kills a child we started (by its own pid, nothing broader) and waits for it to be gone. */
export async function killChild(child: SyncChild, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill(signal);
  await child.exited;
}
