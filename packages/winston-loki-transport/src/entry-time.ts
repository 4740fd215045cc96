import type { LokiTimestamp } from '@loki-sdk/core';

// RFC 3339 with more than millisecond digits: handed to core as text, which keeps the sub-ms digits.
const FINE_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{4,9}(?:Z|[+-]\d\d:?\d\d)$/i;
const DIGITS = /^\d+$/;
const SECONDS_WITH_FRACTION = /^\d{10}\.\d+$/;

/**
 * The entry time from `info.timestamp` (winston's `timestamp()` format, or a field the app set), or
 * undefined when it is not a time we can read (the caller then uses now and keeps the text in the line).
 *
 * Accepted: Date; number (epoch ms); bigint (epoch ns); ISO / RFC 3339 strings; epoch digit strings of
 * 10 (s), 13 (ms), 16 (µs) or 19 (ns) digits; `1700000000.123` (s); anything else `Date.parse` reads
 * (e.g. `timestamp({ format: 'YYYY-MM-DD HH:mm:ss' })`, read as local time, as fecha wrote it).
 */
export function entryTime(value: unknown): LokiTimestamp | undefined {
  if (typeof value === 'string') return fromText(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : undefined;
  if (typeof value === 'bigint') return value > 0n ? value : undefined;
  return undefined;
}

function fromText(text: string): LokiTimestamp | undefined {
  if (DIGITS.test(text)) {
    // Other lengths (a year, a counter) are not epoch times.
    switch (text.length) {
      case 10:
        return BigInt(text) * 1_000_000_000n;
      case 13:
        return BigInt(text) * 1_000_000n;
      case 16:
        return BigInt(text) * 1_000n;
      case 19:
        return BigInt(text);
      default:
        return undefined;
    }
  }
  if (SECONDS_WITH_FRACTION.test(text)) return Number(text) * 1000;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return undefined;
  return FINE_ISO.test(text) ? text : ms;
}
