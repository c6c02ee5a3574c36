import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** The built web component, as the router serves it. */
export interface WidgetAssets {
  /** The bundled ES module, or null when it has not been built. */
  script(): Promise<{ content: Buffer; etag: string } | null>;
}

/** Options of `createWidgetAssets`. */
export interface WidgetAssetsOptions {
  /** Path of the built script. Defaults to `dist/widget/oneroster-settings.js` in the package root. */
  scriptPath?: string;
}

/**
 * Serves `dist/widget/oneroster-settings.js` from the package root. The bytes and a strong ETag
 * (a hash of the content) are cached per instance and read again only when the file's size or
 * modification time changes, so a rebuild during development shows without a restart.
 * Answers null while the widget is not built.
 */
export function createWidgetAssets(options: WidgetAssetsOptions = {}): WidgetAssets {
  const scriptPath = options.scriptPath ?? path.join(findPackageRoot(__dirname), 'dist', 'widget', 'oneroster-settings.js');
  let cached: { stamp: string; content: Buffer; etag: string } | null = null;

  return {
    async script() {
      let stamp: string;
      try {
        const info = await stat(scriptPath);
        stamp = `${info.size}:${info.mtimeMs}`;
      } catch {
        return null;
      }
      if (cached?.stamp !== stamp) {
        const content = await readFile(scriptPath);
        const hash = createHash('sha256').update(content).digest('base64url').slice(0, 27);
        cached = { stamp, content, etag: `"${hash}"` };
      }
      return { content: cached.content, etag: cached.etag };
    },
  };
}

/**
 * The nearest directory above `from` holding a package.json: the repository root both from
 * `server/http` (tsx, ts-jest) and from `dist/server/http` (compiled), and the installed package's
 * root inside a host's node_modules.
 */
function findPackageRoot(from: string): string {
  let dir = from;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(from, '..', '..');
    dir = parent;
  }
}
