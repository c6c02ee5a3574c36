import { readFileSync } from 'node:fs';
import path from 'node:path';

const here = import.meta.dirname;

/**
 * Builds the <oneroster-settings> web component into ONE self-contained ES module:
 * Lit is bundled in, there are no external imports, and the styles live in the component.
 *
 * A plain object rather than `defineConfig(...)`: vite's types are ESM-only and this repository's
 * type check resolves modules the CommonJS way, so importing them would break `tsc --noEmit`.
 */
export default {
  root: here,
  plugins: [
    {
      // The element's types ship beside the bundle: `@manage1to1/oneroster/widget` resolves to both.
      name: 'oneroster-widget-types',
      generateBundle(this: { emitFile(file: { type: 'asset'; fileName: string; source: string }): void }) {
        this.emitFile({ type: 'asset', fileName: 'oneroster-settings.d.ts', source: readFileSync(path.resolve(here, 'public-api.d.ts'), 'utf8') });
      },
    },
  ],
  publicDir: false,
  logLevel: 'warn',
  build: {
    lib: {
      entry: path.resolve(here, 'index.ts'),
      formats: ['es'],
      fileName: () => 'oneroster-settings.js',
    },
    outDir: path.resolve(here, '../dist/widget'),
    emptyOutDir: true,
    target: 'es2021',
    sourcemap: false,
    minify: true,
    reportCompressedSize: false,
  },
};
