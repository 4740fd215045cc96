/**
 * What a record may carry as its time: s / ms / µs / ns number or digit string (read by magnitude), ns
 * bigint, Date, RFC 3339 string.
 */
export type LokiTimestamp = number | Date | bigint | string;

const NS_PER_MS = 1_000_000n;

// Wall clock anchored to the monotonic clock gives ns precision. Once a second it is compared with
// Date.now() and re-anchored when they drifted apart (NTP steps): "now" never strays > 1 ms for long.
// Kept as the wall clock minus the monotonic one, and the next check as a deadline: a call is one BigInt addition
// and a compare (the same values as anchor + (mono - anchorMono), checked when a second has passed).
const CHECK_EVERY_NS = 1_000_000_000n;
const startMonoNs = process.hrtime.bigint();
let wallMinusMonoNs = BigInt(Date.now()) * NS_PER_MS - startMonoNs;
let nextCheckMonoNs = startMonoNs + CHECK_EVERY_NS;

export function nowNs(): bigint {
  const mono = process.hrtime.bigint();
  const ns = mono + wallMinusMonoNs;
  if (mono < nextCheckMonoNs) return ns;
  nextCheckMonoNs = mono + CHECK_EVERY_NS;
  const wallMs = Date.now();
  const diffMs = Number(ns / NS_PER_MS) - wallMs;
  if (diffMs > 1 || diffMs < -1) {
    const wallNs = BigInt(wallMs) * NS_PER_MS;
    wallMinusMonoNs = wallNs - mono;
    return wallNs;
  }
  return ns;
}

/**
 * The times an entry may carry: 2000-01-01T00:00:00Z up to the last nanosecond an int64 holds
 * (2262-04-11T23:47:16.854775807Z). Loki keeps times as int64 ns (its JSON decoder refuses more; a
 * protobuf time past that overflows its store), and no plausible log time lies before 2000: a 1970
 * time is a number read in the wrong unit. The window is also what makes magnitude unambiguous:
 * its images in s, ms, µs and ns never overlap.
 */
export const MIN_TIMESTAMP_NS = 946_684_800_000_000_000n;
export const MAX_TIMESTAMP_NS = 9_223_372_036_854_775_807n;

// The window in each unit, for numbers (upper ends rounded down: the last < 1 s of 2262 is lost).
const MIN_S = 946_684_800;
const MAX_S = 9_223_372_036;
const MIN_MS = MIN_S * 1e3;
const MAX_MS = 9_223_372_036_854;
const MIN_US = MIN_S * 1e6;
// Not …775: above 2^53 doubles are 2 apart, and …775 would be read as …776, whose ns overflow int64.
const MAX_US = 9_223_372_036_854_774;
const MIN_NS = MIN_S * 1e9;

function msToNs(ms: number): bigint {
  const whole = Math.floor(ms);
  // Integer math for the whole milliseconds: epoch ns exceeds Number.MAX_SAFE_INTEGER. A double
  // near 1.7e12 ms resolves ~0.24 µs, so the fraction is kept to the microsecond, not beyond.
  return BigInt(whole) * NS_PER_MS + BigInt(Math.round((ms - whole) * 1e3)) * 1000n;
}

function inWindow(ns: bigint): bigint | undefined {
  return ns >= MIN_TIMESTAMP_NS && ns <= MAX_TIMESTAMP_NS ? ns : undefined;
}

/** A number of s, ms, µs or ns since the epoch: the one unit that puts it in the window. */
function numberToNs(value: number): bigint | undefined {
  // ms first: pino's `time` and Date.now(), the common case, cost two compares and no BigInt check.
  if (value >= MIN_MS && value <= MAX_MS) return msToNs(value);
  if (value >= MIN_S && value <= MAX_S) return msToNs(value * 1e3);
  if (value >= MIN_US && value <= MAX_US) return BigInt(Math.round(value)) * 1000n;
  if (value >= MIN_NS && value < 1e19) return inWindow(BigInt(Math.round(value)));
  return undefined; // NaN, ±Infinity, negative, 1970-ish or beyond 2262 in every unit
}

/** Index of the '.' of `digits.digits`, -1 for plain digits, -2 for anything else. */
function digitShape(text: string): number {
  let dot = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) continue;
    if (c === 0x2e && dot < 0 && i > 0 && i < text.length - 1) dot = i;
    else return -2;
  }
  return text.length === 0 ? -2 : dot;
}

/**
 * THE time rule of every entry point (core's push and SDK, pino, winston, disk replay): a record's
 * time -> epoch nanoseconds, or undefined when it cannot be a plausible time (the caller uses now and
 * counts it in `invalidTimestamps`). Numbers and digit strings are read by magnitude (s, ms, µs, ns:
 * the unit that lands in the window); bigint is ns; Date, RFC 3339 and other `Date.parse` text as
 * their instant (RFC 3339 keeps sub-ms digits). Every result lies in the window.
 */
export function timestampToNs(value: unknown): bigint | undefined {
  if (typeof value === 'number') return numberToNs(value);
  if (typeof value === 'bigint') return inWindow(value);
  if (value instanceof Date) {
    const ms = value.getTime(); // always ms: no magnitude guess for a Date
    return Number.isFinite(ms) ? inWindow(msToNs(ms)) : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const dot = digitShape(value);
  if (dot === -1) {
    // Exact (an ns string exceeds a double's precision); the windows are 1000× apart: one unit fits.
    if (value.length > 30) return undefined;
    const n = BigInt(value);
    return inWindow(n * 1_000_000_000n) ?? inWindow(n * NS_PER_MS) ?? inWindow(n * 1000n) ?? inWindow(n);
  }
  if (dot > 0) return numberToNs(Number(value));
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  let ns = BigInt(ms) * NS_PER_MS;
  // Keep sub-millisecond digits of an RFC 3339 time ("...05.123456789Z").
  const fraction = /\.(\d{4,9})(?:Z|[+-]\d\d:?\d\d)$/i.exec(value);
  if (fraction?.[1]) ns += BigInt(fraction[1].padEnd(9, '0').slice(3));
  return inWindow(ns);
}

/**
 * A time as JSON carries it to another thread, for `timestampToNs` there to read as it would have here: bigint as
 * ns digits, a Date as its epoch ms, a number or text as it is; what would be unreadable here (an invalid Date,
 * NaN, Infinity) stays unreadable (text), so it is counted there (`invalidTimestamps`), not replaced by null.
 */
export function timestampToWire(timestamp: unknown): string | number {
  if (typeof timestamp === 'bigint') return timestamp.toString();
  if (timestamp instanceof Date) return Number.isNaN(timestamp.getTime()) ? 'Invalid Date' : timestamp.getTime();
  if (typeof timestamp === 'number') return Number.isFinite(timestamp) ? timestamp : String(timestamp);
  return typeof timestamp === 'string' ? timestamp : String(timestamp);
}

/** Splits ns into protobuf Timestamp seconds and non-negative nanos. */
export function splitNs(ns: bigint): { seconds: bigint; nanos: number } {
  let seconds = ns / 1_000_000_000n;
  let nanos = ns - seconds * 1_000_000_000n;
  if (nanos < 0n) {
    seconds -= 1n;
    nanos += 1_000_000_000n;
  }
  return { seconds, nanos: Number(nanos) };
}
