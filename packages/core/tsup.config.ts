import { defineConfig } from 'tsup';

// The two formats build in parallel; `dist` is emptied by the build script, not by either config.
export default defineConfig([
  { entry: ['src/index.ts'], format: ["esm"], dts: true, sourcemap: true, target: 'node20' },
  {
    entry: ['src/index.ts'],
    format: ['cjs'],
    dts: true,
    sourcemap: true,
    target: 'node20',
    // got (ESM-only, a dependency) stays external, as every dependency: http-sender.ts loads it with
    // import(), which esbuild keeps as is in CommonJS output, so every install has one copy of got.
    // Shims for import.meta.url (snappy-compress.ts loads the optional native binding relative to this file).
    shims: true,
  },
]);
