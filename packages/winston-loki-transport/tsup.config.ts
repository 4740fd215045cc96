import { defineConfig } from 'tsup';

// esbuild's CJS output is `{ default, LokiTransport, ... }`; winston users write
// `const LokiTransport = require('winston-loki-transport')`, so the class itself becomes
// module.exports, carrying every named export (and `default`) as a property.
const CJS_FOOTER = 'module.exports = Object.assign(module.exports.default, module.exports);';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  footer: ({ format }) => (format === 'cjs' ? { js: CJS_FOOTER } : {}),
});
