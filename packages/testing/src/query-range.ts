/**
 * A minimal `GET /loki/api/v1/query_range` for log stream selectors, with Loki's response shape
 * (pkg/loghttp/query.go): default limit 100 (max 5000), direction backward (default) or forward,
 * window `[start, end)` defaulting to the last hour, structured metadata merged into the stream labels
 * unless `X-Loki-Response-Encoding-Flags: categorize-labels` is sent. Only stream selectors are supported.
 */
import { parseSelectorPrefix, SelectorSyntaxError } from './label-matcher.js';
import type { EntryStore } from './store.js';
import type { StoredEntry } from './types.js';

/** An HTTP answer. */
export interface HttpAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** Inputs of {@link queryRange}. */
export interface QueryRangeContext {
  tenant: string;
  categorizeLabels: boolean;
  store: EntryStore;
  nowMs: number;
}

const MAX_ENTRIES_LIMIT = 5000;
const NS_PER_MS = 1_000_000n;
const NS_PER_S = 1_000_000_000n;

class BadRequest extends Error {}

function plain(status: number, message: string): HttpAnswer {
  return { status, contentType: 'text/plain; charset=utf-8', body: message + '\n' };
}

/** Loki's timestamp parameter: ≤10 digits = seconds, longer = ns, with `.` = float seconds, else RFC3339(Nano). */
function parseTime(value: string, name: string): bigint {
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
function parseDuration(value: string): bigint {
  const units: Record<string, bigint> = {
    ms: NS_PER_MS, s: NS_PER_S, m: 60n * NS_PER_S, h: 3600n * NS_PER_S, d: 86400n * NS_PER_S, w: 604800n * NS_PER_S, y: 31536000n * NS_PER_S,
  };
  const re = /(\d+)(ms|s|m|h|d|w|y)/gy;
  let total = 0n;
  let consumed = 0;
  for (let m = re.exec(value); m !== null; m = re.exec(value)) {
    total += BigInt(m[1]!) * units[m[2]!]!;
    consumed = re.lastIndex;
  }
  if (value === '' || consumed !== value.length) throw new BadRequest(`invalid since: cannot parse "${value}" as a duration`);
  return total;
}

function htmlSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Answers a query_range request. */
export function queryRange(params: URLSearchParams, ctx: QueryRangeContext): HttpAnswer {
  try {
    const query = params.get('query') ?? '';
    if (query.trim() === '') throw new BadRequest('parse error : syntax error: unexpected $end (the query parameter is required)');
    const { matchers, end: selectorEnd } = parseSelectorPrefix(query);
    if (query.slice(selectorEnd).trim() !== '') {
      throw new BadRequest('this receiver supports only log stream selectors such as {app="x"} in query_range (no pipelines or metric queries)');
    }
    if (!matchers.some((m) => !m.matches(''))) {
      throw new BadRequest(
        'queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will',
      );
    }

    let limit = 100;
    const limitParam = params.get('limit');
    if (limitParam !== null && limitParam !== '') {
      if (!/^-?\d+$/.test(limitParam)) throw new BadRequest(`invalid limit: cannot parse "${limitParam}"`);
      limit = Number(limitParam);
      if (limit <= 0) throw new BadRequest('limit must be a positive value');
      if (limit > MAX_ENTRIES_LIMIT) {
        throw new BadRequest(`max entries limit per query exceeded, limit > max_entries_limit_per_query (${limit} > ${MAX_ENTRIES_LIMIT})`);
      }
    }

    const directionParam = (params.get('direction') ?? 'backward').toLowerCase() || 'backward';
    if (directionParam !== 'forward' && directionParam !== 'backward') throw new BadRequest(`invalid direction "${params.get('direction')}"`);
    const forward = directionParam === 'forward';

    const nowNs = BigInt(ctx.nowMs) * NS_PER_MS;
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

    const predicate = (labels: Record<string, string>): boolean =>
      matchers.every((m) => m.matches(Object.prototype.hasOwnProperty.call(labels, m.name) ? labels[m.name]! : ''));
    const selected = ctx.store
      .entries(predicate, ctx.tenant)
      .filter((e) => e.timestampNs >= start && e.timestampNs < end)
      .sort((a, b) => (a.timestampNs === b.timestampNs ? 0 : (a.timestampNs < b.timestampNs) === forward ? -1 : 1))
      .slice(0, limit);

    const groups = new Map<string, { stream: Record<string, string>; values: unknown[] }>();
    for (const e of selected) {
      const hasMetadata = Object.keys(e.metadata).length > 0;
      const key = ctx.categorizeLabels || !hasMetadata ? e.stream : `${e.stream}\u0000${JSON.stringify(sortedRecord(e.metadata))}`;
      let group = groups.get(key);
      if (!group) {
        const stream = ctx.categorizeLabels ? { ...e.labels } : sortedRecord({ ...e.labels, ...e.metadata });
        group = { stream, values: [] };
        groups.set(key, group);
      }
      group.values.push(valueOf(e, ctx.categorizeLabels && hasMetadata));
    }

    const data: Record<string, unknown> = {
      resultType: 'streams',
      result: [...groups.values()],
      stats: { summary: { totalEntriesReturned: selected.length } },
    };
    if (ctx.categorizeLabels) data.encodingFlags = ['categorize-labels'];
    return { status: 200, contentType: 'application/json; charset=UTF-8', body: htmlSafeJson({ status: 'success', data }) };
  } catch (err) {
    if (err instanceof BadRequest || err instanceof SelectorSyntaxError) return plain(400, err.message);
    throw err;
  }
}

function valueOf(e: StoredEntry, withMetadata: boolean): unknown[] {
  return withMetadata ? [e.timestamp, e.line, { structuredMetadata: { ...e.metadata } }] : [e.timestamp, e.line];
}
