import type { LokiClientImpl } from './client-impl.js';
import { LokiError, type LokiErrorCode } from './errors.js';

/**
 * The one error path: every finding goes to `onError`, which may never throw into the data path; some throttled per
 * code.
 */

const REPORT_INTERVAL_MILLIS = 5000;

export function report(c: LokiClientImpl, error: LokiError): void {
  try {
    c.options.onError(error);
  } catch {
    // The error path itself must never throw into the data path.
  }
}

export function reportThrottled(
  c: LokiClientImpl,
  code: LokiErrorCode,
  message: string,
  details: { cause?: unknown } = {},
): void {
  const now = Date.now();
  const last = c.lastReported.get(code);
  if (last !== undefined && now - last < REPORT_INTERVAL_MILLIS) return;
  c.lastReported.set(code, now);
  report(c, new LokiError(code, message, details));
}

export function reportBufferFull(c: LokiClientImpl): void {
  const offline = c.reachability === 'offline';
  const entries = offline ? c.options.offlineBufferMaxEntries : c.options.bufferMaxEntries;
  const why = offline ? ' while Loki is unreachable' : c.reachability === 'throttled' ? ' while Loki answers 429' : '';
  reportThrottled(
    c,
    'ERR_LOKI_BUFFER_FULL',
    `buffer full (${entries} entries${why} / ${c.options.bufferMaxBytes} bytes): oldest entries dropped (${c.dropped.buffer_full} so far)`,
  );
}
