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

/**
 * Go's `time.Time.String()` in UTC, e.g. `2024-05-01 12:00:00.5 +0000 UTC` (fraction without trailing zeros),
 * as the ingester prints an entry's timestamp in its "ignored" lines.
 */
export function formatGoTime(ns: bigint): string {
  let seconds = ns / 1_000_000_000n;
  let frac = ns % 1_000_000_000n;
  if (frac < 0n) {
    frac += 1_000_000_000n;
    seconds -= 1n;
  }
  const date = new Date(Number(seconds) * 1000);
  if (Number.isNaN(date.getTime())) return `${ns}ns`;
  const iso = date.toISOString();
  const fraction = frac === 0n ? '' : '.' + frac.toString().padStart(9, '0').replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction} +0000 UTC`;
}

/** datasize's `ByteSize.String()` as Loki prints sizes: the largest binary unit that divides exactly. */
export function formatByteSize(bytes: number): string {
  const n = Math.floor(bytes);
  if (n === 0) return '0B';
  const units: Array<[string, number]> = [
    ['EB', 2 ** 60],
    ['PB', 2 ** 50],
    ['TB', 2 ** 40],
    ['GB', 2 ** 30],
    ['MB', 2 ** 20],
    ['KB', 2 ** 10],
  ];
  for (const [unit, size] of units) if (n % size === 0) return `${n / size}${unit}`;
  return `${n}B`;
}
