// Every subject the bench runs, each with its documented configuration. A subject is built in a
// fresh child process (scenario.mjs): `create(url)` returns { log(i), finish(timeoutMillis) }.
// finish() is the subject's documented way to make sure what was logged is delivered, then stop;
// heldStats() (ours) answers the client's stats, read in the held scenario.
import { once } from 'node:events';
import { createRequire } from 'node:module';
import pino from 'pino';
import winston from 'winston';
import { fields, MESSAGE } from './records.mjs';

const require = createRequire(import.meta.url);

/** Resolves when the promise settles or after `millis`, whichever is first; says which. */
function within(promise, millis) {
  let timer;
  const deadline = new Promise((resolve) => {
    timer = setTimeout(() => resolve('timeout'), millis);
  });
  return Promise.race([
    Promise.resolve(promise).then(
      () => 'done',
      () => 'error',
    ),
    deadline,
  ]).finally(() => clearTimeout(timer));
}

/** pino.transport(): wait until the worker runs, so its start-up is not charged to the first calls. */
async function pinoTransport(target, options, worker = {}) {
  const transport = pino.transport({ target, options, worker });
  await within(once(transport, 'ready'), 10_000);
  return transport;
}

async function endTransport(transport, millis) {
  const closed = once(transport, 'close');
  transport.end();
  return within(closed, millis);
}

/** A pino logger over a worker transport; finish: end() (the transport's close, which delivers what it holds). */
function pinoOver(transport) {
  const logger = pino(transport);
  return {
    log: (i) => logger.info(fields(i), MESSAGE),
    finish: (millis) => endTransport(transport, millis),
  };
}

/** pino + pino-loki-transport with `options` (host added); finish: flushLoki() then end(). */
async function pinoOurs(url, options = {}) {
  const { flushLoki, getLokiStats } = await import('@loki-sdk/pino-loki-transport');
  const transport = await pinoTransport('@loki-sdk/pino-loki-transport', { host: url, ...options });
  return {
    ...pinoOver(transport),
    async finish(millis) {
      const started = Date.now();
      const flushed = await flushLoki(transport, { timeoutMillis: millis });
      const ended = await endTransport(transport, Math.max(1000, millis - (Date.now() - started)));
      return flushed.ok ? ended : 'flush-not-ok';
    },
    heldStats: () => getLokiStats(transport),
  };
}

/** Ours in this thread (the core client, winston's transport): `log`; finish: flush() then close(); its stats. */
function flushThenClose(target, log) {
  return {
    log,
    async finish(millis) {
      const flushed = await target.flush({ timeoutMillis: millis });
      await within(target.close(), 5000);
      return flushed.ok ? 'done' : 'flush-not-ok';
    },
    stats: () => target.stats(),
    heldStats: async () => target.stats(),
  };
}

/** The receiver's OTLP endpoint (`receiver.otlpLogsUrl` of @loki-sdk/testing) under its base URL. */
function otlpLogsUrl(url) {
  return new URL('/otlp/v1/logs', url).href;
}

function winstonLogger(transport) {
  // winston's defaults (level 'info', format json()) for every winston subject alike.
  return winston.createLogger({ transports: [transport] });
}

/** winston's floor: a transport that does nothing (winston without any transport warns on every call). */
class NullTransport extends winston.Transport {
  log(_info, callback) {
    callback();
  }
}

export const SUBJECTS = {
  'pino-null': {
    family: 'pino',
    floor: true,
    title: 'pino → /dev/null',
    config:
      "pino(pino.destination('/dev/null')) — pino's own benchmark floor (SonicBoom, minLength 0, in the main thread)",
    async create() {
      const dest = pino.destination('/dev/null');
      const logger = pino(dest);
      return {
        log: (i) => logger.info(fields(i), MESSAGE),
        async finish() {
          dest.flushSync();
          return 'done';
        },
      };
    },
  },
  'pino-file': {
    family: 'pino',
    floor: true,
    title: 'pino → pino/file /dev/null (worker)',
    config:
      "pino.transport({ target: 'pino/file', options: { destination: '/dev/null' } }) — the same worker-thread path as a transport, writing nowhere",
    async create() {
      return pinoOver(await pinoTransport('pino/file', { destination: '/dev/null' }));
    },
  },
  'pino-ours': {
    family: 'pino',
    ours: true,
    title: 'pino + pino-loki-transport (ours)',
    config:
      "pino.transport({ target: '@loki-sdk/pino-loki-transport', options: { host } }) — all defaults (protobuf+snappy, 1 s / 5000-entry batches); finish: flushLoki() then end()",
    create: (url) => pinoOurs(url),
  },
  'pino-loki': {
    family: 'pino',
    theirs: true,
    title: 'pino + pino-loki 3 (theirs)',
    config:
      "pino.transport({ target: 'pino-loki', options: { host } }) — its defaults (JSON, batching every 5 s, maxBufferSize 10 000 dropping the oldest); finish: end() (its close() pushes the buffer)",
    async create(url) {
      return pinoOver(await pinoTransport('pino-loki', { host: url }));
    },
  },
  'pino-ours-otlp': {
    family: 'pino',
    ours: true,
    title: 'pino + pino-loki-transport, OTLP (ours)',
    config:
      "pino.transport({ target: '@loki-sdk/pino-loki-transport', options: { host, protocol: 'otlp', labels: { app: 'bench' } } }) — OTLP/HTTP protobuf+gzip to the receiver's /otlp/v1/logs (app → service.name: Loki indexes it; with its service-name discovery off, as in the bench, a push without any index label is refused), other options default; finish: flushLoki() then end()",
    create: (url) => pinoOurs(url, { protocol: 'otlp', labels: { app: 'bench' } }),
  },
  'pino-otel': {
    family: 'pino',
    theirs: true,
    title: 'pino + pino-opentelemetry-transport 4 (theirs, OTLP)',
    config:
      "pino.transport({ target: 'pino-opentelemetry-transport' }) with OTEL_EXPORTER_OTLP_LOGS_ENDPOINT = the receiver's /otlp/v1/logs in its worker's environment — npm defaults (http/protobuf exporter, BatchLogRecordProcessor: 512 records or 1 s per export, queue of 2048 dropping the newest); finish: end() (its close() shuts the provider down, which exports what is queued)",
    async create(url) {
      // npm defaults: the endpoint from the environment, read by the exporter in pino's worker: the worker's own
      // environment (Worker's `env` option, which pino passes on), this process's left as it is.
      const env = { ...process.env, OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: otlpLogsUrl(url) };
      return pinoOver(await pinoTransport('pino-opentelemetry-transport', {}, { env }));
    },
  },
  'winston-null': {
    family: 'winston',
    floor: true,
    title: 'winston, no-op transport',
    config:
      'winston.createLogger({ transports: [a transport whose log() only calls back] }) — winston itself, shipping nothing',
    async create() {
      const logger = winstonLogger(new NullTransport());
      return {
        log: (i) => logger.info(MESSAGE, fields(i)),
        async finish() {
          return 'done';
        },
      };
    },
  },
  'winston-ours': {
    family: 'winston',
    ours: true,
    title: 'winston + winston-loki-transport (ours)',
    config:
      'new LokiTransport({ host }) — all defaults (protobuf+snappy, JSON line, 1 s / 5000-entry batches); finish: transport.flush() then close()',
    async create(url) {
      const { LokiTransport } = await import('@loki-sdk/winston-loki-transport');
      const transport = new LokiTransport({ host: url });
      const logger = winstonLogger(transport);
      return flushThenClose(transport, (i) => logger.info(MESSAGE, fields(i)));
    },
  },
  'winston-loki': {
    family: 'winston',
    theirs: true,
    title: 'winston + winston-loki 6 (theirs)',
    config:
      'new LokiTransport({ host }) — its defaults (protobuf+snappy, batches every 5 s, replaceTimestamp, 60 s back-off after a failed batch); finish: close() (sends the batch at once)',
    async create(url) {
      const LokiTransport = require('winston-loki');
      const transport = new LokiTransport({ host: url });
      const logger = winstonLogger(transport);
      return {
        log: (i) => logger.info(MESSAGE, fields(i)),
        finish: (millis) => within(transport.close(), millis),
      };
    },
  },
  core: {
    family: 'core',
    ours: true,
    title: '@loki-sdk/core client (ours)',
    config:
      "createLokiClient({ host }).push({ level: 'info', message, ...fields }) — all defaults (fields become structured metadata); finish: flush() then close()",
    async create(url) {
      const { createLokiClient } = await import('@loki-sdk/core');
      const client = createLokiClient({ host: url });
      return flushThenClose(client, (i) => client.push({ level: 'info', message: MESSAGE, ...fields(i) }));
    },
  },
};
