// A CommonJS TypeScript consumer (module: nodenext, a .cts file): only typechecked.
import LokiTransport = require('@loki-sdk/winston-loki-transport');
import core = require('@loki-sdk/core');
import pinoTransport = require('@loki-sdk/pino-loki-transport');

export const transport: LokiTransport = new LokiTransport({ host: 'http://127.0.0.1:3100' });
export const client: core.LokiClient = core.createLokiClient({ host: 'http://127.0.0.1:3100' });
export const flush: typeof pinoTransport.flushLoki = pinoTransport.flushLoki;
