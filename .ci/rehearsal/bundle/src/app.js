// An example app bundled with esbuild (build.mjs), run from a folder with no node_modules:
// pino with our transport as a target, and winston with its delivery worker (labels case="bundle").
import { inspect } from 'node:util';
import pino from 'pino';
import { flushLoki } from '@loki-sdk/pino-loki-transport';
import winston from 'winston';
import LokiTransport from '@loki-sdk/winston-loki-transport';

const host = process.env.LOKI_URL;
const kase = process.env.REHEARSAL_CASE ?? 'bundle';
const labels = (via) => ({ app: 'rehearsal', case: kase, via });

const transport = pino.transport({
  target: '@loki-sdk/pino-loki-transport',
  options: { host, labels: labels('pino') },
});
pino(transport).info({ orderId: 'A-1001' }, `order placed (pino ${kase})`);
const viaPino = await flushLoki(transport, { timeoutMillis: 10_000 });

const winstonTransport = new LokiTransport({ host, labels: labels('winston') });
const warned = [];
winstonTransport.on('warn', (e) => warned.push(e.code));
const logger = winston.createLogger({ format: winston.format.json(), transports: [winstonTransport] });
logger.info(`order placed (winston ${kase})`, { orderId: 'A-1001' });
const viaWinston = await winstonTransport.flush();
logger.close();

// The transport's printed form says whether its delivery worker runs.
const worker = /worker: true/.test(inspect(winstonTransport));
console.log(JSON.stringify({ case: kase, worker, warned, ok: [viaPino.ok, viaWinston.ok] }));
// EXPECT_WORKER=true|false: whether the delivery worker file was deployed beside the bundle; without it,
// the transport says so once (ERR_LOKI_WORKER_UNAVAILABLE) and delivers from the calling thread.
const expectedWarnings = process.env.EXPECT_WORKER === 'false' ? ['ERR_LOKI_WORKER_UNAVAILABLE'] : [];
if (
  !(viaPino.ok && viaWinston.ok) ||
  (process.env.EXPECT_WORKER !== undefined && String(worker) !== process.env.EXPECT_WORKER) ||
  warned.join() !== expectedWarnings.join()
)
  process.exitCode = 1;
