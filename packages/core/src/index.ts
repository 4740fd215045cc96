export { createLokiClient } from './client.js';
export type { LokiClient, LokiClientStats, FlushResult, DropReason } from './client.js';
export { LokiError, LokiOptionsError } from './errors.js';
export type { LokiErrorCode, LokiErrorDetails } from './errors.js';
export { DEFAULTS, resolvePushUrl } from './options.js';
export type { LokiClientOptions, LokiTlsOptions, LokiEncoding } from './options.js';
export type { LokiRecord } from './record.js';
export type { LokiTimestamp } from './timestamp.js';
