// A strict TypeScript consumer of every package, typechecked with module: nodenext and with
// moduleResolution: bundler; the nodenext build is also run (labels case="ts").
import { createLokiClient, LokiError, type FlushResult, type LokiClientOptions } from '@loki-sdk/core';
import pino from 'pino';
import { flushLoki, type PinoLokiOptions } from '@loki-sdk/pino-loki-transport';
import winston from 'winston';
import LokiTransport, { type LokiTransportOptions } from '@loki-sdk/winston-loki-transport';
import { createLokiReceiver, type LokiReceiver } from '@loki-sdk/testing';

const host: string = process.env.LOKI_URL ?? '';
const labels = (via: string): Record<string, string> => ({ app: 'rehearsal', case: 'ts', via });

const coreOptions: LokiClientOptions = {
  host,
  labels: labels('core'),
  onError: (err: LokiError) => console.warn(err.code, err.message),
};
const loki = createLokiClient(coreOptions);
loki.push({ message: 'order placed (core ts)', level: 'info', order_id: 'A-1001' });
const core: FlushResult = await loki.close();

const pinoOptions: PinoLokiOptions = { host, labels: labels('pino') };
const transport = pino.transport({ target: '@loki-sdk/pino-loki-transport', options: pinoOptions });
pino(transport).info({ orderId: 'A-1001' }, 'order placed (pino ts)');
const viaPino = await flushLoki(transport, { timeoutMillis: 10_000 });

const winstonOptions: LokiTransportOptions = { host, labels: labels('winston') };
const winstonTransport = new LokiTransport(winstonOptions);
const logger = winston.createLogger({ format: winston.format.json(), transports: [winstonTransport] });
logger.info('order placed (winston ts)', { orderId: 'A-1001' });
const viaWinston: FlushResult = await winstonTransport.flush();
logger.close();

// Only typechecked: the receiver's types as a test would use them.
export async function receiverTypes(): Promise<string[]> {
  const receiver: LokiReceiver = await createLokiReceiver();
  const lines = receiver.entries('{app="x"}').map((e) => e.line);
  await receiver.close();
  return lines;
}

console.log(JSON.stringify({ case: 'ts', ok: [core.ok, viaPino.ok, viaWinston.ok] }));
if (!(core.ok && viaPino.ok && viaWinston.ok)) process.exitCode = 1;
