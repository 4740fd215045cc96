/**
 * The query API's routes: which paths are queries, their parameters (the URL's, plus a POSTed form), the
 * tenant and the response-encoding flag, and which endpoint answers.
 */
import type { IncomingMessage } from 'node:http';
import { headerValue, tenantHeader } from './http-exchange.js';
import { labelValues, labelNames, series } from './query-metadata.js';
import { type HttpAnswer, plain } from './query-params.js';
import { queryRange } from './query-range.js';
import type { EntryStore } from './store.js';
import { resolveTenant } from './tenant.js';

/** Loki registers `/loki/api/v1/label` as well as `/labels` for the label names. */
const QUERY_PATHS = new Set([
  '/loki/api/v1/query_range',
  '/loki/api/v1/labels',
  '/loki/api/v1/label',
  '/loki/api/v1/series',
]);
const LABEL_VALUES_PATH = /^\/loki\/api\/v1\/label\/([^/]+)\/values$/;

export function isQueryPath(pathname: string): boolean {
  return QUERY_PATHS.has(pathname) || LABEL_VALUES_PATH.test(pathname);
}

/** What a query reads besides the request. */
export interface QueryRouteContext {
  store: EntryStore;
  authEnabled: boolean;
  maxEntriesLimitPerQuery: number;
}

/** The answer to a query request whose body has been read. */
export function answerQuery(req: IncomingMessage, url: URL, body: Buffer, route: QueryRouteContext): HttpAnswer {
  const params = new URLSearchParams(url.search);
  if (req.method === 'POST' && body.length > 0) {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.append(k, v);
  }
  const tenant = resolveTenant(tenantHeader(req), route.authEnabled);
  if ('status' in tenant) return plain(tenant.status, tenant.message);
  const flags = headerValue(req.headers['x-loki-response-encoding-flags']) ?? '';
  const ctx = {
    tenant: tenant.tenant,
    categorizeLabels: flags.split(',').some((f) => f.trim() === 'categorize-labels'),
    store: route.store,
    nowMs: Date.now(),
    maxEntriesLimitPerQuery: route.maxEntriesLimitPerQuery,
  };
  const valuesOf = LABEL_VALUES_PATH.exec(url.pathname);
  return url.pathname === '/loki/api/v1/query_range'
    ? queryRange(params, ctx)
    : url.pathname === '/loki/api/v1/labels' || url.pathname === '/loki/api/v1/label'
      ? labelNames(params, ctx)
      : url.pathname === '/loki/api/v1/series'
        ? series(params, ctx)
        : labelValues(decodeURIComponent(valuesOf![1]!), params, ctx);
}
