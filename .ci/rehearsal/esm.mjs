// Each package README's first example, as a user's ESM program (labels case="esm", via=<package>).
import { createLokiClient } from '@loki-sdk/core';
import pino from 'pino';
import { flushLoki } from '@loki-sdk/pino-loki-transport';
import winston from 'winston';
import LokiTransport from '@loki-sdk/winston-loki-transport';

const host = process.env.LOKI_URL;
const kase = process.env.REHEARSAL_CASE ?? 'esm';
const labels = (via) => ({ app: 'rehearsal', case: kase, via });

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
const logger = pino(transport);
logger.info({ orderId: 'A-1001' }, `order placed (pino ${kase})`);
const viaPino = await flushLoki(transport, { timeoutMillis: 10_000 });

const winstonTransport = new LokiTransport({ host, labels: labels('winston') });
const wlogger = winston.createLogger({
  format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
  transports: [winstonTransport],
});
wlogger.info(`order placed (winston ${kase})`, { orderId: 'A-1001', total: 42.5, label_region: 'eu' });
const viaWinston = await winstonTransport.flush();
wlogger.close();

console.log(
  JSON.stringify({ case: kase, compression: loki.stats().compression, ok: [core.ok, viaPino.ok, viaWinston.ok] }),
);
if (!(core.ok && viaPino.ok && viaWinston.ok)) process.exitCode = 1;
