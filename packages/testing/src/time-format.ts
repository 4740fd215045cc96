/** Formatting of nanosecond timestamps the way Loki's messages print them (Go `time.RFC3339`, UTC). */

const NS_PER_MS = 1_000_000n;

/** Go's `t.Format(time.RFC3339)` in UTC, e.g. `2024-05-01T12:00:00Z` (no fractional seconds). */
export function formatRfc3339(ns: bigint): string {
  let ms = ns / NS_PER_MS;
  if (ns < 0n && ms * NS_PER_MS !== ns) ms -= 1n;
  const date = new Date(Number(ms));
  if (Number.isNaN(date.getTime())) return `${ns}ns`;
  const iso = date.toISOString();
  // toISOString uses ±YYYYYY for years outside 0000-9999; Go would print the year as is.
  return iso.replace(/\.\d{3}Z$/, 'Z');
}

/** Current time in nanoseconds (millisecond resolution). */
export function nowNs(): bigint {
  return BigInt(Date.now()) * NS_PER_MS;
}
