// The esbuild recipe of the READMEs with format: 'cjs': no banner needed.
const { dirname, join } = require('node:path');
const { build } = require('esbuild');
const esbuildPluginPino = require('esbuild-plugin-pino');

const deliveryWorker = join(dirname(require.resolve('@loki-sdk/winston-loki-transport')), 'delivery-worker.js');

build({
  entryPoints: { app: 'src/app.js', 'delivery-worker': deliveryWorker },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  plugins: [esbuildPluginPino({ transports: ['@loki-sdk/pino-loki-transport'] })],
  logLevel: 'warning',
}).catch(() => process.exit(1));
