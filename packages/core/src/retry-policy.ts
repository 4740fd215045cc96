/** What to do with a response: pure functions, so the rules are testable on their own. */
export type Outcome = 'success' | 'retry' | 'reject' | 'blocked';

/**
 * 2xx is success (but 260, Loki's "ingestion blocked", stored nothing); 429, 5xx and 408 are retried;
 * every other status is final (a 400 may be a partial accept: never resend it).
 */
export function classifyStatus(status: number): Outcome {
  if (status === 260) return 'blocked';
  if (status >= 200 && status < 300) return 'success';
  if (status === 429 || status === 408 || status >= 500) return 'retry';
  return 'reject';
}

/** Longest Retry-After we honour, so a confused proxy cannot park delivery for hours. */
export const MAX_RETRY_AFTER_MILLIS = 5 * 60_000;

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | undefined, now = Date.now()): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const text = header.trim();
  let millis: number;
  if (/^\d+(\.\d+)?$/.test(text)) millis = Number(text) * 1000;
  else {
    const date = Date.parse(text);
    if (Number.isNaN(date)) return undefined;
    millis = date - now;
  }
  return Math.min(Math.max(0, millis), MAX_RETRY_AFTER_MILLIS);
}

/**
 * Exponential backoff with "equal jitter": attempt 1 waits in [initial/2, initial], then doubles,
 * capped at max. Jitter spreads the retries of many clients after an outage.
 */
export function backoffDelayMillis(
  attempt: number,
  initialMillis: number,
  maxMillis: number,
  random = Math.random,
): number {
  const base = Math.min(maxMillis, initialMillis * 2 ** Math.max(0, attempt - 1));
  return Math.round(base / 2 + (random() * base) / 2);
}

/**
 * OTLP/HTTP's rule: 2xx is success (maybe partial, see otlp-response.ts); only 429, 502, 503 and 504 are
 * retried; every other status is final (a 400 rejected the whole request).
 */
export const OTLP_RETRY_STATUSES: readonly number[] = [429, 502, 503, 504];

export function classifyOtlpStatus(status: number): Outcome {
  if (status >= 200 && status < 300) return 'success';
  if (OTLP_RETRY_STATUSES.includes(status)) return 'retry';
  return 'reject';
}
