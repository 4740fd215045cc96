import { LokiTransport } from './loki-transport.js';

export { LokiTransport };
export default LokiTransport;
export type { LineFormat, LokiTransportOptions, WinstonLokiCompatOptions } from './transport-options.js';
export { LokiError, LokiOptionsError } from '@loki-sdk/core/adapter';
export type { FlushResult, LokiClientStats, LokiErrorCode } from '@loki-sdk/core/adapter';
// Prometheus metrics (prom-client, an optional peer): `registerLokiMetrics(transport, { registry })`.
export { registerLokiMetrics } from '@loki-sdk/core/adapter';
export type { LokiMetricsOptions, LokiMetricsResult } from '@loki-sdk/core/adapter';
