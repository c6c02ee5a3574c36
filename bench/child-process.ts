import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** The project root: children run from here so `tsx/cjs` resolves. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

/**
 * Starts a TypeScript file of `bench/` in its own Node process (IPC channel, default heap). tsx's
 * CommonJS require hook, not `--import tsx`: the ESM loader runs in a thread of its own that adds
 * ~30 MB of RSS no host running compiled JavaScript pays, and would blur the memory figures.
 */
export function forkTs(file: string, args: string[] = [], extraExecArgv: string[] = []): ChildProcess {
  return fork(path.join(__dirname, file), args, {
    cwd: PROJECT_ROOT,
    execArgv: ['--require', 'tsx/cjs', ...extraExecArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Sends a request and resolves with the next message of the expected type (rejects if the child exits first). */
export function ask<T>(child: ChildProcess, message: Record<string, unknown>, replyType: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (reply: { type?: string; error?: string }) => {
      if (reply?.type === 'error') return finish(() => reject(new Error(reply.error)));
      if (reply?.type === replyType) finish(() => resolve(reply as T));
    };
    const onExit = (code: number | null, signal: string | null) =>
      finish(() => reject(new Error(`child ${path.basename(String(child.spawnargs.at(-1 - 0)))} exited (${code ?? signal}) before answering ${replyType}`)));
    const finish = (settle: () => void) => {
      child.off('message', onMessage);
      child.off('exit', onExit);
      settle();
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send(message);
  });
}

/** Waits for a child to exit. */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
