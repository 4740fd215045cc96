// `@loki-sdk/core`: for users of the engine. At most 8 runtime values (test/entry-points.test.ts counts
// them): what an app needs to make a client, recognise its errors and size its own settings.
// The direct API is `@loki-sdk/core/sdk`; what transports build on is `@loki-sdk/core/adapter`.
export { createLokiClient } from './client.js';
export type { LokiClient, LokiClientStats, FlushResult, DropReason, Compression } from './client.js';
export { LokiError, LokiOptionsError } from './errors.js';
export type { LokiErrorCode, LokiErrorDetails } from './errors.js';
export { DEFAULTS } from './options.js';
export type { LokiClientOptions, LokiTlsOptions, LokiEncoding } from './options.js';
export type { LokiRecord } from './record.js';
export type { LokiTimestamp } from './timestamp.js';
export type { DiskBufferOptions } from './disk-buffer.js';
export { envValue } from './env-value.js';
export { DIAGNOSTICS_CHANNELS } from './diagnostics.js';
export type { BatchEvent, DroppedEvent, OfflineEvent } from './diagnostics.js';
export { registerLokiMetrics } from './metrics.js';
export type { LokiMetricsOptions, LokiMetricsResult, PromClientLike, PromRegistryLike } from './metrics.js';
