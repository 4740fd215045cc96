// The bundle app of ../bundle/src/app.js as CommonJS, bundled as CommonJS (labels case="bundle-cjs").
const { inspect } = require('node:util');
const pino = require('pino');
const { flushLoki } = require('@loki-sdk/pino-loki-transport');
const winston = require('winston');
const LokiTransport = require('@loki-sdk/winston-loki-transport');

const host = process.env.LOKI_URL;
const kase = 'bundle-cjs';
const labels = (via) => ({ app: 'rehearsal', case: kase, via });

async function main() {
  const transport = pino.transport({
    target: '@loki-sdk/pino-loki-transport',
    options: { host, labels: labels('pino') },
  });
  pino(transport).info({ orderId: 'A-1001' }, `order placed (pino ${kase})`);
  const viaPino = await flushLoki(transport, { timeoutMillis: 10_000 });

  const winstonTransport = new LokiTransport({ host, labels: labels('winston') });
  const logger = winston.createLogger({ format: winston.format.json(), transports: [winstonTransport] });
  logger.info(`order placed (winston ${kase})`, { orderId: 'A-1001' });
  const viaWinston = await winstonTransport.flush();
  logger.close();

  const worker = /worker: true/.test(inspect(winstonTransport));
  console.log(JSON.stringify({ case: kase, worker, ok: [viaPino.ok, viaWinston.ok] }));
  if (!(viaPino.ok && viaWinston.ok && worker)) process.exitCode = 1;
}
main();
