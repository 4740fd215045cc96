import { defineConfig, type Options } from 'tsup';

// esbuild's CJS output is `{ default, LokiTransport, ... }`; winston users write
// `const LokiTransport = require('@loki-sdk/winston-loki-transport')`, so the class itself becomes
// module.exports, carrying every named export (and `default`) as a property.
const CJS_FOOTER = 'module.exports = Object.assign(module.exports.default, module.exports);';

// Source maps (for stack traces under --enable-source-maps) without the sources embedded: they were
// most of the tarball, and the positions are what a stack trace needs.
const noSourcesContent: Options['esbuildOptions'] = (options) => {
  options.sourcesContent = false;
};

const common: Options = {
  entry: ['src/index.ts'],
  sourcemap: true,
  esbuildOptions: noSourcesContent,
  target: 'node20',
};

export default defineConfig([
  // Both configs build in parallel, so `clean` is done by the build script, not by either of them.
  { ...common, format: ['esm'], dts: true },
  {
    ...common,
    format: ['cjs'],
    dts: true,
    footer: { js: CJS_FOOTER },
    // import.meta.url (to find the worker script) as the CommonJS module's own file URL.
    shims: true,
  },
  // The delivery worker's script (ESM whichever build started it); found as dist/delivery-worker.js.
  {
    entry: { 'delivery-worker': 'src/delivery-worker.ts' },
    format: ['esm'],
    sourcemap: true,
    esbuildOptions: noSourcesContent,
    target: 'node20',
  },
]);
