/** What a record may carry as its time: epoch ms number, Date, ns bigint, ns decimal string or ISO string. */
export type LokiTimestamp = number | Date | bigint | string;

const NS_PER_MS = 1_000_000n;

// Wall clock anchored to the monotonic clock gives ns precision. Once a second it is compared with
// Date.now() and re-anchored when they drifted apart (NTP steps): "now" never strays > 1 ms for long.
let anchorWallNs = BigInt(Date.now()) * NS_PER_MS;
let anchorMonoNs = process.hrtime.bigint();
let lastCheckMonoNs = anchorMonoNs;
const CHECK_EVERY_NS = 1_000_000_000n;

export function nowNs(): bigint {
  const mono = process.hrtime.bigint();
  const ns = anchorWallNs + (mono - anchorMonoNs);
  if (mono - lastCheckMonoNs < CHECK_EVERY_NS) return ns;
  lastCheckMonoNs = mono;
  const wallMs = Date.now();
  const diffMs = Number(ns / NS_PER_MS) - wallMs;
  if (diffMs > 1 || diffMs < -1) {
    anchorWallNs = BigInt(wallMs) * NS_PER_MS;
    anchorMonoNs = mono;
    return anchorWallNs;
  }
  return ns;
}

function msToNs(ms: number): bigint | undefined {
  if (!Number.isFinite(ms)) return undefined;
  const whole = Math.floor(ms);
  // Integer math for the whole milliseconds: epoch ns exceeds Number.MAX_SAFE_INTEGER. A double
  // near 1.7e12 ms resolves ~0.24 µs, so the fraction is kept to the microsecond, not beyond.
  return BigInt(whole) * NS_PER_MS + BigInt(Math.round((ms - whole) * 1e3)) * 1000n;
}

/**
 * Converts a record's time to epoch nanoseconds, or undefined when it is not a time we understand
 * (the caller then uses now and counts it).
 */
export function toNs(value: LokiTimestamp): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return msToNs(value);
  if (value instanceof Date) return msToNs(value.getTime());
  if (typeof value === 'string') {
    if (/^-?\d+$/.test(value)) return BigInt(value);
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) return undefined;
    // Keep sub-millisecond digits of an RFC 3339 time ("...05.123456789Z").
    const fraction = /\.(\d{4,9})(?:Z|[+-]\d\d:?\d\d)$/i.exec(value);
    if (fraction?.[1]) {
      const digits = fraction[1].padEnd(9, '0');
      const extra = BigInt(digits.slice(3));
      return BigInt(ms) * NS_PER_MS + extra;
    }
    return BigInt(ms) * NS_PER_MS;
  }
  return undefined;
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
