/**
 * A minimal `GET /loki/api/v1/query_range` for log queries (a stream selector and line filters), with Loki's
 * response shape (pkg/loghttp/query.go): default limit 100 (max `max_entries_limit_per_query`), direction
 * backward (default) or forward, window `[start, end)` defaulting to the last hour, structured metadata merged
 * into the stream labels unless `X-Loki-Response-Encoding-Flags: categorize-labels` is sent.
 */
import { decodeGoEscapes, goQuote } from './go-strings.js';
import { compileRegex, parseSelectorPrefix, SelectorSyntaxError } from './label-matcher.js';
import { LabelSyntaxError, parseMetric } from './label-parser.js';
import { BadRequest, type HttpAnswer, jsonAnswer, plain, queryBounds } from './query-params.js';
import type { EntryStore } from './store.js';
import type { StoredEntry } from './types.js';

/** Inputs of {@link queryRange}. */
export interface QueryRangeContext {
  tenant: string;
  categorizeLabels: boolean;
  store: EntryStore;
  nowMs: number;
  /** `max_entries_limit_per_query`. */
  maxEntriesLimitPerQuery: number;
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

type LineFilter = (line: string) => boolean;

/**
 * Parses the line filters after the selector: `|= "s"`, `!= "s"`, `|~ "re"`, `!~ "re"` (strings `"…"` or `` `…` ``).
 */
function parseLineFilters(text: string): LineFilter[] {
  const filters: LineFilter[] = [];
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  for (;;) {
    ws();
    if (i >= text.length) return filters;
    const op = text.slice(i, i + 2);
    if (op !== '|=' && op !== '!=' && op !== '|~' && op !== '!~') {
      throw new BadRequest(
        `this receiver supports only a stream selector followed by line filters (|= != |~ !~) in query_range; cannot parse ${JSON.stringify(text.slice(i))}`,
      );
    }
    i += 2;
    ws();
    let value: string;
    const quote = text[i];
    if (quote === '`') {
      const close = text.indexOf('`', i + 1);
      if (close < 0) throw new BadRequest('parse error: unterminated raw string in a line filter');
      value = text.slice(i + 1, close);
      i = close + 1;
    } else if (quote === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw new BadRequest('parse error: unterminated string in a line filter');
      try {
        value = decodeGoEscapes(text.slice(i + 1, j), '"');
      } catch (err) {
        throw new BadRequest(`parse error: ${(err as Error).message}`);
      }
      i = j + 1;
    } else {
      throw new BadRequest(`parse error: a line filter needs a quoted string after ${op}`);
    }
    if (op === '|=') filters.push((line) => line.includes(value));
    else if (op === '!=') filters.push((line) => !line.includes(value));
    else {
      let re: RegExp;
      try {
        re = compileRegex(value, false);
      } catch (err) {
        throw new BadRequest((err as Error).message);
      }
      filters.push(op === '|~' ? (line) => re.test(line) : (line) => !re.test(line));
    }
  }
}

const PLAIN_LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Loki merges structured metadata into the stream's label text and parses it again for every entry that
 * carries some (pkg/iter/categorized_labels_iterator.go): a name that is not a valid label name (`ü_z`, `日本`,
 * `""`) makes the query fail with 500. Returns that error text, or undefined.
 */
function unparseableLabels(e: StoredEntry): string | undefined {
  let bad = false;
  for (const name in e.metadata) if (!PLAIN_LABEL_NAME.test(name)) bad = true;
  if (!bad) return undefined;
  const merged = { ...e.labels, ...e.metadata };
  const names = Object.keys(merged).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const text = '{' + names.map((n) => `${n}=${goQuote(merged[n]!)}`).join(', ') + '}';
  try {
    parseMetric(text);
  } catch (err) {
    if (err instanceof LabelSyntaxError) return `failed to parse series labels to categorize labels: ${err.message}`;
    throw err;
  }
  return undefined;
}

/** Answers a query_range request. */
export function queryRange(params: URLSearchParams, ctx: QueryRangeContext): HttpAnswer {
  try {
    const query = params.get('query') ?? '';
    if (query.trim() === '')
      throw new BadRequest('parse error : syntax error: unexpected $end (the query parameter is required)');
    const { matchers, end: selectorEnd } = parseSelectorPrefix(query);
    const filters = parseLineFilters(query.slice(selectorEnd));
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
      const max = ctx.maxEntriesLimitPerQuery;
      if (max > 0 && limit > max) {
        throw new BadRequest(
          `max entries limit per query exceeded, limit > max_entries_limit_per_query (${limit} > ${max})`,
        );
      }
    }

    const directionParam = (params.get('direction') ?? 'backward').toLowerCase() || 'backward';
    if (directionParam !== 'forward' && directionParam !== 'backward')
      throw new BadRequest(`invalid direction "${params.get('direction')}"`);
    const forward = directionParam === 'forward';
    const { start, end } = queryBounds(params, ctx.nowMs);

    const predicate = (labels: Record<string, string>): boolean =>
      matchers.every((m) => m.matches(Object.prototype.hasOwnProperty.call(labels, m.name) ? labels[m.name]! : ''));
    const inWindow = ctx.store
      .entries(predicate, ctx.tenant)
      .filter((e) => e.timestampNs >= start && e.timestampNs < end && filters.every((f) => f(e.line)));
    for (const e of inWindow) {
      const failure = unparseableLabels(e);
      if (failure !== undefined) return plain(500, failure);
    }
    const selected = inWindow
      .sort((a, b) => (a.timestampNs === b.timestampNs ? 0 : a.timestampNs < b.timestampNs === forward ? -1 : 1))
      .slice(0, limit);

    const groups = new Map<string, { stream: Record<string, string>; values: unknown[] }>();
    for (const e of selected) {
      const hasMetadata = Object.keys(e.metadata).length > 0;
      const key =
        ctx.categorizeLabels || !hasMetadata
          ? e.stream
          : `${e.stream}\u0000${JSON.stringify(sortedRecord(e.metadata))}`;
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
    return jsonAnswer({ status: 'success', data });
  } catch (err) {
    if (err instanceof BadRequest || err instanceof SelectorSyntaxError) return plain(400, err.message);
    throw err;
  }
}

function valueOf(e: StoredEntry, withMetadata: boolean): unknown[] {
  return withMetadata ? [e.timestamp, e.line, { structuredMetadata: { ...e.metadata } }] : [e.timestamp, e.line];
}
