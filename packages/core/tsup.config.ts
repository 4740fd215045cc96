import { defineConfig, type Options } from 'tsup';

// Source maps (for stack traces under --enable-source-maps) without the sources embedded: they were
// most of the tarball, and the positions are what a stack trace needs.
const noSourcesContent: Options['esbuildOptions'] = (options) => {
  options.sourcesContent = false;
};

// The two formats build in parallel; `dist` is emptied by the build script, not by either config.
export default defineConfig([
  { entry: ['src/index.ts'], format: ['esm'], dts: true, sourcemap: true, esbuildOptions: noSourcesContent, target: 'node20' },
  {
    entry: ['src/index.ts'],
    format: ['cjs'],
    dts: true,
    sourcemap: true,
    esbuildOptions: noSourcesContent,
    target: 'node20',
    // got (ESM-only, a dependency) stays external, as every dependency: http-sender.ts loads it with
    // import(), which esbuild keeps as is in CommonJS output, so every install has one copy of got.
    // Shims for import.meta.url (snappy-compress.ts loads the optional native binding relative to this file).
    shims: true,
  },
]);
