import diagnosticsChannel from 'node:diagnostics_channel';
import type { LokiClientStats } from './client-types.js';
import { DIAGNOSTICS_CHANNELS, type BatchEvent } from './diagnostics.js';

/**
 * What the metrics integration (metrics.ts) reads from whatever delivers: a core client in this thread, or the
 * main-thread half of a worker (winston's delivery worker, pino's transport stream). One protocol for all three,
 * so `registerLokiMetrics` does not know which it has.
 */
export const METRICS_SOURCE: unique symbol = Symbol.for('loki-sdk.metrics-source');

/** A push request's end: its HTTP status (undefined when no answer came) and how long it took. */
export type RequestListener = (status: number | undefined, seconds: number) => void;

export interface LokiMetricsSource {
  /** The figures of `stats()`; undefined when they cannot be had now (a worker that did not answer in time). */
  stats(): LokiClientStats | undefined | Promise<LokiClientStats | undefined>;
  /** Calls `listener` once per push request that ends from now on; answers the unsubscribe. */
  observeRequests(listener: RequestListener): () => void;
}

/** An object that hands out its metrics source (the winston transport, the worker host, pino's helper). */
export interface HasMetricsSource {
  [METRICS_SOURCE](): LokiMetricsSource;
}

/** The requests of one client of this thread, from its diagnostics channels (the client is in each message). */
export function observeClientRequests(client: object, listener: RequestListener): () => void {
  const onEvent = (message: unknown): void => {
    const event = message as BatchEvent;
    if (event.client === client) listener(event.status, event.durationMillis / 1000);
  };
  diagnosticsChannel.subscribe(DIAGNOSTICS_CHANNELS.batchSent, onEvent);
  diagnosticsChannel.subscribe(DIAGNOSTICS_CHANNELS.batchFailed, onEvent);
  return () => {
    diagnosticsChannel.unsubscribe(DIAGNOSTICS_CHANNELS.batchSent, onEvent);
    diagnosticsChannel.unsubscribe(DIAGNOSTICS_CHANNELS.batchFailed, onEvent);
  };
}

/** The source of a metrics target: its own when it has one, else a client of this thread; undefined otherwise. */
export function metricsSourceOf(target: unknown): LokiMetricsSource | undefined {
  if (typeof target !== 'object' || target === null) return undefined;
  const own = (target as Partial<HasMetricsSource>)[METRICS_SOURCE];
  if (typeof own === 'function') return own.call(target);
  const stats = (target as { stats?: unknown }).stats;
  if (typeof stats !== 'function') return undefined;
  return {
    stats: () => (stats as () => LokiClientStats).call(target),
    observeRequests: (listener) => observeClientRequests(target, listener),
  };
}
