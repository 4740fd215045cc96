// The webpack recipe of the pino and winston READMEs ("Bundling"): the app is bundled, the logging
// stack is not. pino's worker and the winston transport's delivery worker load files of their
// packages at run time, so those stay in node_modules (ship it: npm install --omit=dev).
const { resolve } = require('node:path');

module.exports = {
  mode: 'production',
  target: 'node20',
  entry: { app: './src/app.js' },
  output: { path: resolve(__dirname, 'dist-webpack'), filename: '[name].cjs' },
  externals: {
    pino: 'commonjs pino',
    winston: 'commonjs winston',
    '@loki-sdk/pino-loki-transport': 'commonjs @loki-sdk/pino-loki-transport',
    '@loki-sdk/winston-loki-transport': 'commonjs @loki-sdk/winston-loki-transport',
  },
  optimization: { minimize: false },
};
