import type { Writable } from 'node:stream';
import type { PinoLokiOptions } from './options.js';

/**
 * CommonJS entry, the one pino resolves (`target` goes through require-style resolution). The
 * factory loads the ESM build, so the worker runs one build whatever resolved it, and
 * @loki-sdk/core is loaded as ESM (its dependency got is ESM-only). pino and thread-stream await
 * the factory, so returning a promise is fine for them; direct callers from CommonJS await it too.
 */
export default async function pinoLokiTransport(options?: PinoLokiOptions): Promise<Writable> {
  const esm = (await import('./index.js')) as { default: (options?: PinoLokiOptions) => Writable };
  return esm.default(options);
}

export { pinoLokiTransport };
export type { LokiErrorEvent, LokiStatsEvent, LokiFlushedEvent, LokiClosedEvent, LokiRequestEvent } from './events.js';
export type { PinoLokiOptions } from './options.js';
export { TRANSPORT_DEFAULTS } from './defaults.js';
export { toLokiRecord, DEFAULT_LEVEL_NAMES } from './to-loki-record.js';
export type { MappingConfig } from './to-loki-record.js';
export { flushLoki, getLokiStats } from './main-thread.js';
export type { FlushLokiResult, TransportStream } from './main-thread.js';
export { traceMixin, createTraceMixin } from './trace-mixin.js';
export { registerLokiMetrics } from './metrics.js';
export type { PinoLokiMetricsOptions } from './metrics.js';
