/**
 * The sandbox provider in its own process, so its CPU and memory are never counted as the sync's.
 * Started by the harness; answers IPC requests:
 * - `{type:'start', users}` → `{type:'ready', credentials, people}`
 * - `{type:'change', fraction, seed}` → `{type:'changed', count}` (the 1 % daily delta)
 * - `{type:'cpu'}` → `{type:'cpu', seconds}` (this process's CPU time so far)
 * - `{type:'latency', delayMs}` → `{type:'latency'}`: every `/users` page answers that late (0: on time)
 * - `{type:'stop'}` → `{type:'stopped', maxRssMb}`, then exits.
 */
import { startSandbox, type Sandbox } from '../examples/oneroster-sandbox';
import type { UserIdStyle } from '../examples/oneroster-sandbox/ids';
import { districtOptions } from './district-size';

/** Messages the sandbox process accepts. */
export type SandboxRequest =
  | { type: 'start'; users: number; idStyle?: UserIdStyle }
  | { type: 'change'; fraction: number; seed: number }
  | { type: 'cpu' }
  | { type: 'latency'; delayMs: number }
  | { type: 'stop' };

/** Serves requests until told to stop (the sandbox lives in this closure, not at module level). */
function serve(): void {
  let sandbox: Sandbox | undefined;
  process.on('message', (message: SandboxRequest) => {
    void handle(message).catch((err: Error) => process.send!({ type: 'error', error: err.stack ?? err.message }));
  });
  // The harness died: do not linger.
  process.on('disconnect', () => process.exit(0));

  async function handle(message: SandboxRequest): Promise<void> {
  switch (message.type) {
    case 'start': {
      sandbox = await startSandbox({ port: 0, ...districtOptions(message.users, message.idStyle) });
      process.send!({ type: 'ready', credentials: sandbox.credentials, url: sandbox.url });
      return;
    }
    case 'change': {
      const ids = sandbox!.district.changeRandomPeople(message.fraction, message.seed);
      process.send!({ type: 'changed', count: ids.length });
      return;
    }
    case 'cpu': {
      const { user, system } = process.cpuUsage();
      process.send!({ type: 'cpu', seconds: (user + system) / 1e6 });
      return;
    }
    case 'latency': {
      sandbox!.faults.clear();
      if (message.delayMs > 0) sandbox!.faults.set({ kind: 'slow', delayMs: message.delayMs, path: '/users' });
      process.send!({ type: 'latency' });
      return;
    }
    case 'stop': {
      await sandbox?.close();
      process.send!({ type: 'stopped', maxRssMb: process.resourceUsage().maxRSS / 1024 });
      process.disconnect();
      return;
    }
  }
  }
}

serve();
