import type { FlushResult, LokiClientStats, LokiError } from '@loki-sdk/core/adapter';

/** Payload of the `lokiError` event on the stream `pino.transport()` returns. */
export interface LokiErrorEvent {
  code: string;
  message: string;
  status?: number;
  responseBody?: string;
  entries?: number;
  retryable: boolean;
}

/** Payload of the `lokiStats` event: core's counters plus the transport's. */
export interface LokiStatsEvent extends LokiClientStats {
  /** Set when the event answers a `getLokiStats()` request. */
  id?: number;
  /** Lines read from pino and handed to the client (blank lines included). */
  linesReceived: number;
  /** Lines read from pino and queued, not yet mapped: handed over in batches, or counted lost at the close deadline. */
  linesQueued: number;
  /** Times reading paused because too much waited for Loki. */
  backpressurePauses: number;
}

/** Payload of the `lokiRequest` event (only once registerLokiMetrics asked): one push request's end. */
export interface LokiRequestEvent {
  /** HTTP status, or undefined when no answer came (network error, timeout). */
  status: number | undefined;
  seconds: number;
}

/** Payload of the `lokiFlushed` event, the answer to `flushLoki()`. */
export interface LokiFlushedEvent extends FlushResult {
  id: number;
}

/** Emitted on the stream itself (not through the worker channel) when it has closed its client. */
export interface LokiClosedEvent extends FlushResult {
  stats: LokiStatsEvent;
}

/** A LokiError as plain data: an Error instance would lose `code` and the rest in the structured clone. */
export function toErrorEvent(error: LokiError): LokiErrorEvent {
  const event: LokiErrorEvent = { code: error.code, message: error.message, retryable: error.retryable === true };
  if (error.status !== undefined) event.status = error.status;
  if (error.responseBody !== undefined) event.responseBody = error.responseBody;
  if (error.entries !== undefined) event.entries = error.entries;
  return event;
}
