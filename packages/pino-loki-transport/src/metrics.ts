import {
  METRICS_SOURCE,
  registerLokiMetrics as registerOn,
  type LokiMetricsOptions,
  type LokiMetricsResult,
  type LokiMetricsSource,
} from '@loki-sdk/core/adapter';
import type { LokiRequestEvent } from './events.js';
import { getLokiStats, observeRequests, type TransportStream } from './main-thread.js';

export interface PinoLokiMetricsOptions extends LokiMetricsOptions {
  /** How long a scrape waits for the worker's figures (then the previous ones stay). Default 1000 ms. */
  statsTimeoutMillis?: number;
}

/**
 * Prometheus metrics of the transport's worker on this thread's registry (prom-client, an optional peer):
 * `registerLokiMetrics(pino.transport({ target: '@loki-sdk/pino-loki-transport', ... }), { registry })`.
 * Each scrape asks the worker for its stats (getLokiStats); the request histogram is fed by its events.
 */
export function registerLokiMetrics(stream: TransportStream, options: PinoLokiMetricsOptions = {}): LokiMetricsResult {
  const { statsTimeoutMillis = 1000, ...rest } = options;
  const source: LokiMetricsSource = {
    stats: () => {
      observeRequests(stream);
      return getLokiStats(stream, { timeoutMillis: statsTimeoutMillis });
    },
    observeRequests: (listener) => {
      const onRequest = (event: LokiRequestEvent): void => listener(event.status, event.seconds);
      const ask = (): void => observeRequests(stream);
      stream.on('lokiRequest', onRequest);
      // Before the worker is ready the ask may find nobody listening: ask again when it is.
      stream.once('ready', ask);
      ask();
      return () => {
        stream.off('lokiRequest', onRequest);
        stream.off('ready', ask);
      };
    },
  };
  return registerOn({ [METRICS_SOURCE]: () => source }, rest);
}
