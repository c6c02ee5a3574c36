import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
/** The built script the router serves. */
export const WIDGET_SCRIPT = path.join(ROOT, 'dist', 'widget', 'oneroster-settings.js');

/** Newest modification time of the widget's sources and the contract it imports. */
function newestSource(): number {
  const files = readdirSync(path.join(ROOT, 'widget'))
    .filter((name) => name.endsWith('.ts'))
    .map((name) => path.join(ROOT, 'widget', name));
  files.push(path.join(ROOT, 'server', 'domain', 'contract.ts'));
  return Math.max(...files.map((file) => statSync(file).mtimeMs));
}

/** Builds the widget when the bundle is missing or older than its sources (`npm test` builds it first anyway). */
export function ensureWidgetBuilt(): void {
  let builtAt = 0;
  try {
    builtAt = statSync(WIDGET_SCRIPT).mtimeMs;
  } catch {
    builtAt = 0;
  }
  if (builtAt >= newestSource()) return;
  // Test files run in parallel workers: each builds into its own folder and swaps the file in
  // with an atomic rename, so no worker ever reads a half-written or emptied dist/widget.
  const scratch = path.join(ROOT, 'dist', `.widget-build-${process.pid}`);
  try {
    execFileSync(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'widget/vite.config.mts', '--outDir', scratch],
      { cwd: ROOT, stdio: 'pipe', env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' } },
    );
    mkdirSync(path.dirname(WIDGET_SCRIPT), { recursive: true });
    renameSync(path.join(scratch, path.basename(WIDGET_SCRIPT)), WIDGET_SCRIPT);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
