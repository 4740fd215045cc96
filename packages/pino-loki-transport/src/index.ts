// ESM entry. pino's worker always runs this build: the CommonJS entry (index-cjs.ts) imports it.
import pinoLokiTransport from './transport.js';

export default pinoLokiTransport;
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
export type { LokiMetricsResult } from '@loki-sdk/core/adapter';
