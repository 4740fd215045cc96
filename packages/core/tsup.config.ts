import { defineConfig, type Options } from 'tsup';

// Source maps (for stack traces under --enable-source-maps) without the sources embedded: they were
// most of the tarball, and the positions are what a stack trace needs.
const noSourcesContent: Options['esbuildOptions'] = (options) => {
  options.sourcesContent = false;
};

// The three entry points (package.json `exports`): `.`, `./sdk`, `./adapter`; and the SDK's delivery worker
// script (option `worker`), a file in `dist` (package.json `files`) that the SDK finds beside itself, not an export.
const entry = {
  index: 'src/index.ts',
  sdk: 'src/sdk-entry.ts',
  adapter: 'src/adapter-entry.ts',
  'sdk-delivery-worker': 'src/sdk-delivery-worker.ts',
};
// Types for the exports only: the worker script has none to offer.
const dts = { entry: { index: entry.index, sdk: entry.sdk, adapter: entry.adapter } };

// The two formats build in parallel; `dist` is emptied by the build script, not by either config.
// Both split shared code into chunks, so the entry points of one format share one copy of every module:
// one exit listener pair, one warned-codes set, one LokiError class whichever entry point it came from.
export default defineConfig([
  {
    entry,
    format: ['esm'],
    splitting: true,
    dts,
    sourcemap: true,
    esbuildOptions: noSourcesContent,
    target: 'node20',
  },
  {
    entry,
    format: ['cjs'],
    splitting: true,
    // Rollup writes the CommonJS chunks (tsup's own CommonJS splitting would turn `import('got')` into a
    // require() of an ESM-only package).
    treeshake: true,
    dts,
    sourcemap: true,
    esbuildOptions: noSourcesContent,
    target: 'node20',
    // got (ESM-only, a dependency) stays external, as every dependency: http-sender.ts loads it with
    // import(), which the CommonJS output keeps as is, so every install has one copy of got.
    // Shims for import.meta.url (snappy-compress.ts loads the optional native binding relative to this file).
    shims: true,
  },
]);
