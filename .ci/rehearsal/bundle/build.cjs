// The esbuild recipe of the pino and winston READMEs ("Bundling"), as a user would write it.
// CommonJS: esbuild-plugin-pino's ESM build calls require.resolve, which ESM does not have.
const { dirname, join } = require('node:path');
const { build } = require('esbuild');
const esbuildPluginPino = require('esbuild-plugin-pino');

// The winston transport's delivery worker: a second entry point, written as dist/delivery-worker.js.
const winstonWorker = join(dirname(require.resolve('@loki-sdk/winston-loki-transport')), 'delivery-worker.js');

const BANNER = [
  "import { createRequire as __bundleCreateRequire } from 'node:module';",
  "import { fileURLToPath as __bundleFileURLToPath } from 'node:url';",
  "import { dirname as __bundleDirname } from 'node:path';",
  'const require = __bundleCreateRequire(import.meta.url);',
  'const __filename = __bundleFileURLToPath(import.meta.url);',
  'const __dirname = __bundleDirname(__filename);',
].join('\n');

build({
  entryPoints: { app: 'src/app.js', 'delivery-worker': winstonWorker },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // An ESM bundle has no require, __filename or __dirname, which CommonJS code inside it uses: got's
  // dependencies call require('http2'), and the CommonJS builds (what esbuild-plugin-pino resolves the
  // target to) find their own file with __filename.
  banner: { js: BANNER },
  plugins: [esbuildPluginPino({ transports: ['@loki-sdk/pino-loki-transport'] })],
  logLevel: 'warning',
}).catch(() => process.exit(1));
