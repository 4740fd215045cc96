/**
 * The metadata endpoints logcli and Grafana use (pkg/loghttp/labels.go, series.go): `/loki/api/v1/labels`,
 * `/loki/api/v1/label/<name>/values` and `/loki/api/v1/series`, over the streams that have an entry in the
 * `[start, end)` window (default: the last hour). Only stream (index) labels are listed, never structured
 * metadata. An empty list is omitted from `labels` and `values` answers (`omitempty`), as Loki does.
 */
import { parseStreamSelector, SelectorSyntaxError, type LabelMatcher } from './label-matcher.js';
import { BadRequest, type HttpAnswer, jsonAnswer, plain, queryBounds } from './query-params.js';
import type { EntryStore } from './store.js';
import type { StoredStream } from './types.js';

/** Inputs of the metadata endpoints. */
export interface MetadataContext {
  tenant: string;
  store: EntryStore;
  nowMs: number;
}

function matchesAll(matchers: readonly LabelMatcher[], labels: Record<string, string>): boolean {
  return matchers.every((m) => m.matches(Object.prototype.hasOwnProperty.call(labels, m.name) ? labels[m.name]! : ''));
}

/** Streams of the tenant with an entry in the window, optionally matching one of the selectors. */
function streamsInWindow(params: URLSearchParams, ctx: MetadataContext, selectors: readonly string[]): StoredStream[] {
  const { start, end } = queryBounds(params, ctx.nowMs);
  const groups = selectors.map((s) => parseStreamSelector(s));
  return ctx.store
    .streams((labels) => groups.length === 0 || groups.some((g) => matchesAll(g, labels)), ctx.tenant)
    .filter((s) => s.entries.some((e) => e.timestampNs >= start && e.timestampNs < end));
}

function answer(run: () => unknown): HttpAnswer {
  try {
    return jsonAnswer(run());
  } catch (err) {
    if (err instanceof BadRequest || err instanceof SelectorSyntaxError) return plain(400, err.message);
    throw err;
  }
}

function sorted(values: Iterable<string>): string[] {
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function selectorParam(params: URLSearchParams): string[] {
  const query = params.get('query');
  return query === null || query.trim() === '' ? [] : [query];
}

/** `GET /loki/api/v1/labels?start=&end=&since=&query=`: the label names, sorted. */
export function labelNames(params: URLSearchParams, ctx: MetadataContext): HttpAnswer {
  return answer(() => {
    const names = new Set<string>();
    for (const s of streamsInWindow(params, ctx, selectorParam(params))) for (const name in s.labels) names.add(name);
    return names.size === 0 ? { status: 'success' } : { status: 'success', data: sorted(names) };
  });
}

/** `GET /loki/api/v1/label/<name>/values?start=&end=&since=&query=`: the values of one label, sorted. */
export function labelValues(name: string, params: URLSearchParams, ctx: MetadataContext): HttpAnswer {
  return answer(() => {
    const values = new Set<string>();
    for (const s of streamsInWindow(params, ctx, selectorParam(params))) {
      const v = s.labels[name];
      if (v !== undefined) values.add(v);
    }
    return values.size === 0 ? { status: 'success' } : { status: 'success', data: sorted(values) };
  });
}

/**
 * `GET /loki/api/v1/series?match[]=…&start=&end=&since=`: the label sets of the matching streams
 * (`match[]` repeats as OR).
 */
export function series(params: URLSearchParams, ctx: MetadataContext): HttpAnswer {
  return answer(() => {
    let selectors = [...new Set([...params.getAll('match[]'), ...params.getAll('match')])];
    // Loki treats a single `{}` like no match[] at all.
    if (selectors.length === 1 && selectors[0]!.replaceAll(' ', '') === '{}') selectors = [];
    const data = streamsInWindow(params, ctx, selectors).map((s) => ({ ...s.labels }));
    return { status: 'success', data };
  });
}
