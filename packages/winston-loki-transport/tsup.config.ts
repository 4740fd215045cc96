import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig, type Options } from 'tsup';

const here = createRequire(import.meta.url);

// esbuild's CJS output is `{ default, LokiTransport, ... }`; winston users write
// `const LokiTransport = require('winston-loki-transport')`, so the class itself becomes
// module.exports, carrying every named export (and `default`) as a property.
const CJS_FOOTER = 'module.exports = Object.assign(module.exports.default, module.exports);';

/**
 * Workaround for @loki-sdk/core's CommonJS build: it does `require("got")`, but got 14 is ESM-only
 * (ERR_REQUIRE_ESM before Node 20.19/22.12; after, require() returns got's namespace and
 * `got.extend` is undefined). Until core's CJS build is fixed, our CJS build bundles core's ESM
 * build together with got (both become plain CommonJS). snappy, a native addon, stays a runtime
 * require, resolved from core's own location (it is core's dependency, not ours).
 */
const bundleCoreForCjs: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'bundle-loki-core-for-cjs',
  setup(build) {
    const coreEsm = join(dirname(here.resolve('@loki-sdk/core')), 'index.js');
    build.onResolve({ filter: /^@loki-sdk\/core$/ }, () => ({ path: coreEsm }));
    build.onResolve({ filter: /^snappy$/ }, () => ({ path: 'snappy', namespace: 'core-dependency' }));
    build.onLoad({ filter: /.*/, namespace: 'core-dependency' }, (args) => ({
      contents: `const { createRequire } = require('node:module');
module.exports = createRequire(createRequire(__filename).resolve('@loki-sdk/core'))(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

const common: Options = {
  entry: ['src/index.ts'],
  sourcemap: true,
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
    noExternal: ['@loki-sdk/core'],
    esbuildPlugins: [bundleCoreForCjs],
  },
]);
