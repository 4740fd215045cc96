import { safeCause } from './redact.js';

/**
 * Every failure of the library is a LokiError with a stable `code`. Errors are delivered to the
 * `onError` callback; only invalid options given to a constructor are thrown.
 */
export type LokiErrorCode =
  | 'ERR_LOKI_INVALID_OPTIONS'
  | 'ERR_LOKI_INVALID_RECORD'
  | 'ERR_LOKI_REJECTED'
  | 'ERR_LOKI_PARTIAL_REJECT'
  | 'ERR_LOKI_INGESTION_BLOCKED'
  | 'ERR_LOKI_UNAVAILABLE'
  | 'ERR_LOKI_RETRIES_EXHAUSTED'
  | 'ERR_LOKI_BUFFER_FULL'
  | 'ERR_LOKI_LINE_TOO_LONG'
  | 'ERR_LOKI_LABEL_LIMIT'
  | 'ERR_LOKI_CARDINALITY'
  | 'ERR_LOKI_CLOSED'
  | 'ERR_LOKI_SHUTDOWN_TIMEOUT'
  | 'ERR_LOKI_EXIT_DRAIN'
  | 'ERR_LOKI_DISK_CORRUPT'
  | 'ERR_LOKI_DISK_WRITE'
  | 'ERR_LOKI_DISK_FULL'
  | 'ERR_LOKI_NOT_INITIALIZED'
  | 'ERR_LOKI_WORKER_UNAVAILABLE'
  | 'ERR_LOKI_METRICS';

export interface LokiErrorDetails {
  /** HTTP status Loki answered with, when there was an answer. */
  status?: number;
  /** Loki's response body (first 1024 bytes), when there was one. */
  responseBody?: string;
  /** Entries concerned (dropped, rejected, or still waiting). */
  entries?: number;
  /** Whether the client will retry the batch. */
  retryable?: boolean;
  /** ERR_LOKI_CARDINALITY: the label name demoted (its distinct values in `entries`). */
  label?: string;
  cause?: unknown;
}

export class LokiError extends Error {
  readonly code: LokiErrorCode;
  readonly status?: number;
  readonly responseBody?: string;
  readonly entries?: number;
  readonly retryable: boolean;
  readonly label?: string;

  constructor(code: LokiErrorCode, message: string, details: LokiErrorDetails = {}) {
    // The cause is a copy without what it may hold: got's errors carry our request headers.
    // One line: messages are printed as process warnings and quote Loki's answers, which may span lines (a 429
    // lists each entry it ignored); the answer as sent stays in `responseBody`.
    super(
      message.includes('\n') ? message.replace(/\s*\n\s*/g, ' ') : message,
      details.cause === undefined ? undefined : { cause: safeCause(details.cause) },
    );
    this.name = 'LokiError';
    this.code = code;
    if (details.status !== undefined) this.status = details.status;
    if (details.responseBody !== undefined) this.responseBody = details.responseBody;
    if (details.entries !== undefined) this.entries = details.entries;
    this.retryable = details.retryable ?? false;
    if (details.label !== undefined) this.label = details.label;
  }
}

/** Thrown synchronously by constructors (and only there) when options cannot work. */
export class LokiOptionsError extends LokiError {
  constructor(message: string) {
    super('ERR_LOKI_INVALID_OPTIONS', message);
    this.name = 'LokiOptionsError';
  }
}

export { redactUrl } from './redact.js';
