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
