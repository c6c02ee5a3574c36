import { execFileSync, fork, type ChildProcess } from 'node:child_process';
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

/** Where `compileBenchWorker` writes the measured worker's JavaScript (git-ignored). */
const COMPILED_DIR = path.join(__dirname, '.compiled');

/**
 * Compiles the measured worker (bench/worker.ts and everything it imports: the module, the
 * sandbox's district builder) to JavaScript, as a host runs the published build. Under tsx's
 * require hook the same process held ~45 MB more at rest (the transformed sources kept on the
 * heap, and esbuild's worker thread for its synchronous transforms), all of it in every memory
 * figure. No type check (`--noCheck`): `npm test` does that; this only strips the types (~5 s).
 */
export function compileBenchWorker(): void {
  const tsc = path.join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(__dirname, 'tsconfig.worker.json'), '--noCheck'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
}

/** Starts a file of `bench/` compiled by `compileBenchWorker` in its own Node process (IPC channel, default heap). */
export function forkCompiled(file: string, args: string[] = [], extraExecArgv: string[] = []): ChildProcess {
  const compiled = path.join(COMPILED_DIR, 'bench', file.replace(/\.ts$/, '.js'));
  return fork(compiled, args, { cwd: PROJECT_ROOT, execArgv: extraExecArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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
