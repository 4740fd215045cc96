/**
 * Parameters shared by the query endpoints (pkg/loghttp/params.go): timestamps (`≤10 digits` = seconds,
 * longer = ns, with `.` = float seconds, else RFC3339Nano), Prometheus durations, the `start`/`end`/`since`
 * window (default: the hour before `end`, or before now when `end` is in the future), and Loki's JSON
 * writer (HTML characters escaped).
 */

/** An HTTP answer. */
export interface HttpAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** A request Loki answers with 400 and this text. */
export class BadRequest extends Error {}

export const NS_PER_MS = 1_000_000n;
export const NS_PER_S = 1_000_000_000n;

/** A plain-text answer (`message\n`). */
export function plain(status: number, message: string): HttpAnswer {
  return { status, contentType: 'text/plain; charset=utf-8', body: message + '\n' };
}

/** Loki's JSON writer escapes `<`, `>`, `&` (and U+2028/2029) as `\u00XX`. */
export function htmlSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}

/** A JSON answer with Loki's content type; Loki's writer ends it with a newline (pkg/util/marshal). */
export function jsonAnswer(value: unknown): HttpAnswer {
  return { status: 200, contentType: 'application/json; charset=UTF-8', body: htmlSafeJson(value) + '\n' };
}

/** Loki's timestamp parameter: ≤10 digits = seconds, longer = ns, with `.` = float seconds, else RFC3339(Nano). */
export function parseTime(value: string, name: string): bigint {
  if (/^-?\d+$/.test(value)) {
    const digits = value.replace('-', '');
    return digits.length <= 10 ? BigInt(value) * NS_PER_S : BigInt(value);
  }
  if (/^-?\d*\.\d*$/.test(value) && value !== '.') {
    return BigInt(Math.round(Number(value) * 1000)) * NS_PER_MS;
  }
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(value);
  if (m) {
    const ms = Date.parse(`${m[1]}${m[3]}`);
    if (!Number.isNaN(ms)) return BigInt(ms) * NS_PER_MS + BigInt((m[2] ?? '').padEnd(9, '0') || '0');
  }
  throw new BadRequest(`invalid ${name}: cannot parse "${value}" to a valid timestamp`);
}

/** Prometheus duration (`90s`, `5m`, `1h30m`, `2d`). */
export function parseDuration(value: string): bigint {
  const units: Record<string, bigint> = {
    ms: NS_PER_MS,
    s: NS_PER_S,
    m: 60n * NS_PER_S,
    h: 3600n * NS_PER_S,
    d: 86400n * NS_PER_S,
    w: 604800n * NS_PER_S,
    y: 31536000n * NS_PER_S,
  };
  const re = /(\d+)(ms|s|m|h|d|w|y)/gy;
  let total = 0n;
  let consumed = 0;
  for (let m = re.exec(value); m !== null; m = re.exec(value)) {
    total += BigInt(m[1]!) * units[m[2]!]!;
    consumed = re.lastIndex;
  }
  if (value === '' || consumed !== value.length)
    throw new BadRequest(`could not parse 'since' parameter: not a valid duration string: "${value}"`);
  return total;
}

/** The `[start, end)` window of a query, in ns. */
export function queryBounds(params: URLSearchParams, nowMs: number): { start: bigint; end: bigint } {
  const nowNs = BigInt(nowMs) * NS_PER_MS;
  const endParam = params.get('end');
  let end = endParam ? parseTime(endParam, 'end') : nowNs;
  const startParam = params.get('start');
  let start: bigint;
  if (startParam) start = parseTime(startParam, 'start');
  else {
    const since = params.get('since');
    const window = since ? parseDuration(since) : 3600n * NS_PER_S;
    start = (end > nowNs ? nowNs : end) - window;
  }
  if (end < start) throw new BadRequest('end timestamp must not be before or equal to start time');
  if (end === start) end = start + 1n;
  return { start, end };
}
