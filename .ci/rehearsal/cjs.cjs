// The same as esm.mjs, as a user's CommonJS program (labels case="cjs").
const { createLokiClient } = require('@loki-sdk/core');
const pino = require('pino');
const { flushLoki } = require('@loki-sdk/pino-loki-transport');
const winston = require('winston');
const LokiTransport = require('@loki-sdk/winston-loki-transport');

const host = process.env.LOKI_URL;
const kase = 'cjs';
const labels = (via) => ({ app: 'rehearsal', case: kase, via });

async function main() {
  const loki = createLokiClient({ host, labels: labels('core') });
  loki.push({
    message: `order placed (core ${kase})`,
    level: 'info',
    label_region: 'eu',
    order_id: 'A-1001',
    total: 42.5,
  });
  const core = await loki.close();

  const transport = pino.transport({
    target: '@loki-sdk/pino-loki-transport',
    options: { host, labels: labels('pino') },
  });
  pino(transport).info({ orderId: 'A-1001' }, `order placed (pino ${kase})`);
  const viaPino = await flushLoki(transport, { timeoutMillis: 10_000 });

  const winstonTransport = new LokiTransport({ host, labels: labels('winston') });
  const wlogger = winston.createLogger({ format: winston.format.json(), transports: [winstonTransport] });
  wlogger.info(`order placed (winston ${kase})`, { orderId: 'A-1001' });
  const viaWinston = await winstonTransport.flush();
  wlogger.close();

  console.log(
    JSON.stringify({ case: kase, compression: loki.stats().compression, ok: [core.ok, viaPino.ok, viaWinston.ok] }),
  );
  if (!(core.ok && viaPino.ok && viaWinston.ok)) process.exitCode = 1;
}
main();
