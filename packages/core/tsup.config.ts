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
    // got 14 is ESM-only: require() of it fails before Node 20.19 / 22.12. The CommonJS build carries
    // its own copy of got (converted to CommonJS) so `require('@loki-sdk/core')` works on every Node >= 20.
    noExternal: ['got'],
    // import.meta.url (snappy-compress.ts loads the optional native binding relative to this file).
    shims: true,
  },
]);
