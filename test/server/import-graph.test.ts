import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');

/**
 * The layers of server/, lowest first. A file may import its own layer and the layers below it,
 * never one above: the domain knows nothing of storage or providers, those know nothing of the
 * services, the services nothing of HTTP, and only the factory knows everything.
 */
const LAYERS: ReadonlyArray<{ name: string; paths: readonly string[] }> = [
  { name: 'domain', paths: ['server/domain/', 'server/logger.ts'] },
  { name: 'store and providers', paths: ['server/store/', 'server/providers/', 'server/options.ts', 'server/context.ts', 'migrations/'] },
  { name: 'services', paths: ['server/sync/', 'server/config/', 'server/schedule/'] },
  { name: 'http', paths: ['server/http/', 'server/services.ts'] },
  { name: 'factory', paths: ['server/create-oneroster.ts', 'server/index.ts'] },
];

/** The layer of a file (relative to the repository, `/`-separated), or -1 when none claims it. */
function layerOf(file: string): number {
  return LAYERS.findIndex((layer) => layer.paths.some((prefix) => (prefix.endsWith('/') ? file.startsWith(prefix) : file === prefix)));
}

/** One import: who imports what. */
interface Arrow {
  from: string;
  to: string;
}

/** Every relative import of every `.ts` file under server/, resolved to the file it names. */
function serverImports(): Arrow[] {
  const arrows: Arrow[] = [];
  for (const file of sources(path.join(ROOT, 'server'))) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue; // packages sit outside the layers
      arrows.push({ from: relative(file), to: relative(resolveModule(path.resolve(path.dirname(file), fileName))) });
    }
  }
  return arrows;
}

/** The arrows that run from a lower layer up to a higher one, or to a file no layer claims. */
function upwardArrows(arrows: readonly Arrow[]): string[] {
  return arrows
    .filter(({ from, to }) => layerOf(to) === -1 || layerOf(to) > layerOf(from))
    .map(({ from, to }) => `${from} (${LAYERS[layerOf(from)]?.name ?? 'no layer'}) → ${to} (${LAYERS[layerOf(to)]?.name ?? 'no layer'})`);
}

function resolveModule(base: string): string {
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base]) {
    if (statSync(candidate, { throwIfNoEntry: false })?.isFile()) return candidate;
  }
  throw new Error(`cannot resolve ${base}`);
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sources(file) : file.endsWith('.ts') ? [file] : [];
  });
}

function relative(file: string): string {
  return path.relative(ROOT, file).split(path.sep).join('/');
}

describe('the import graph of server/', () => {
  it('places every server file in a layer', () => {
    const unplaced = sources(path.join(ROOT, 'server')).map(relative).filter((file) => layerOf(file) === -1);
    expect(unplaced).toEqual([]);
  });

  it('has no arrow from a lower layer up to a higher one', () => {
    const arrows = serverImports();
    expect(arrows.length).toBeGreaterThan(200); // the parse found the imports, so an empty answer below means something
    expect(upwardArrows(arrows)).toEqual([]);
  });

  // Before the contract moved to server/domain/, 37 imports pointed up (providers, sync, config
  // and schedule importing server/http/contract.ts and server/http/validate.ts). These are two of
  // them, as they were: the check names them.
  it('names an upward arrow such as the ones the old layout had', () => {
    expect(
      upwardArrows([
        { from: 'server/providers/types.ts', to: 'server/http/contract.ts' },
        { from: 'server/config/config-service.ts', to: 'server/http/validate.ts' },
        { from: 'server/sync/sync-service.ts', to: 'server/domain/errors.ts' },
      ]),
    ).toEqual([
      'server/providers/types.ts (store and providers) → server/http/contract.ts (http)',
      'server/config/config-service.ts (services) → server/http/validate.ts (http)',
    ]);
  });
});
