/**
 * Cases for core's entry rules (record times, a field named exactly `label_`, structured-metadata
 * names) as an adapter's user meets them: each adapter test logs the same inputs through its framework
 * and compares what the receiver stored with the same expectations, so the rule is checked once.
 */

/** What an entry's stored time should be: an exact instant, or "now" (an implausible time, counted). */
export type ExpectedTime = bigint | 'now';

export interface TimeRuleCases {
  /** Times to log, one entry each (as a number, a digit string, ...). */
  values: unknown[];
  /** The stored time of each, in the same order. */
  expected: ExpectedTime[];
  /** How many of them core counts in `invalidTimestamps`. */
  invalidTimestamps: number;
}

/**
 * Times read by magnitude (s, ms, µs, ns; numbers and digit strings) around `seconds` (a time Loki
 * accepts, e.g. a minute ago), and times that cannot be plausible.
 */
export function timeRuleCases(seconds: number): TimeRuleCases {
  const base = BigInt(seconds) * 1_000_000_000n;
  const cases: Array<[unknown, ExpectedTime]> = [
    [seconds, base],
    [seconds * 1000 + 5, base + 5_000_000n],
    [seconds * 1_000_000 + 12, base + 12_000n],
    [String(seconds), base],
    [`${seconds}.5`, base + 500_000_000n],
    [`${seconds}006`, base + 6_000_000n],
    [`${seconds}000007`, base + 7_000n],
    [`${seconds}000000008`, base + 8n],
    ['99999999999999999999999', 'now'],
    [1e300, 'now'],
    [-5, 'now'],
  ];
  return {
    values: cases.map(([v]) => v),
    expected: cases.map(([, e]) => e),
    invalidTimestamps: cases.filter(([, e]) => e === 'now').length,
  };
}

/**
 * Stored times in the form of `TimeRuleCases.expected`: a time at or after `nowFromNs` (taken just
 * before the entries were logged) reads as "now", any other stays the instant it is.
 */
export function storedTimes(
  times: ReadonlyArray<bigint | undefined>,
  nowFromNs: bigint,
): Array<ExpectedTime | undefined> {
  return times.map((t) => (t !== undefined && t >= nowFromNs ? 'now' : t));
}

/** A field named exactly `label_` is metadata of that name; `label_x` is the label `x`. */
export const LABEL_FIELD_CASE = {
  fields: { label_: 'bare', label_x: 'lab' },
  labels: { x: 'lab' },
  metadata: { label_: 'bare' },
} as const;

/**
 * Metadata names reach Loki as [A-Za-z_][A-Za-z0-9_]*: other characters become '_', a leading digit
 * is prefixed, an empty name is dropped and counted (`metadataNamesDropped`).
 */
export const METADATA_NAME_CASE = {
  fields: { 'ü.z': 'a', 日本: 'b', 'trace.id': 'c', '1x': 'd', '': 'e' },
  metadata: { __z: 'a', __: 'b', trace_id: 'c', key_1x: 'd' },
  metadataNamesDropped: 1,
} as const;
