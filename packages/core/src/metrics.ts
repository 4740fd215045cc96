import { DROP_REASONS, type LokiClientStats } from './client-types.js';
import { LokiError } from './errors.js';
import { metricsSourceOf, type LokiMetricsSource } from './metrics-source.js';
import { loadOptionalPeer } from './optional-peer.js';

/**
 * Prometheus metrics on `prom-client`, an optional peer dependency: loaded on the first call only, never
 * imported otherwise. Every figure is read from `stats()` at scrape time (one snapshot per scrape), so the
 * registry shows what `stats()` says; the request histogram alone is fed by events, the diagnostics channels
 * of a client in this thread or the messages of a worker (metrics-source.ts). Names follow Grafana Alloy's
 * `loki.write` (`loki_write_*`) where one fits: docs/metrics.md maps them.
 */

/** The part of a prom-client registry used here (typed structurally: prom-client may be absent). */
export interface PromRegistryLike {
  removeSingleMetric(name: string): void;
}

interface PromMetric {
  reset(): void;
}
type Ctor = new (config: Record<string, unknown>) => PromMetric;

/** The part of the `prom-client` module used here. */
export interface PromClientLike {
  Counter: unknown;
  Gauge: unknown;
  Histogram: unknown;
  register: PromRegistryLike;
}

export interface LokiMetricsOptions {
  /** The registry to register on. Default: prom-client's global `register`. */
  registry?: PromRegistryLike;
  /** Prefix of every metric name. Default `loki_write_`. */
  prefix?: string;
  /** The prom-client module to use. Default: the one the app has installed, loaded on this call. */
  promClient?: PromClientLike;
  /** Buckets of the request duration histogram, in seconds. Default: prom-client's (as Alloy's). */
  buckets?: readonly number[];
}

/** A value, never thrown: `ok: false` when prom-client is missing or a name is already registered. */
export type LokiMetricsResult =
  | { ok: true; /** The metric names registered. */ names: readonly string[]; unregister(): void }
  | { ok: false; error: LokiError };

export const DEFAULT_METRICS_PREFIX = 'loki_write_';

const MUTATIONS = [
  ['line_truncated', 'linesTruncated'],
  ['label_moved_to_metadata', 'labelsMovedToMetadata'],
  ['metadata_moved_to_line', 'metadataMovedToLine'],
  ['invalid_timestamp', 'invalidTimestamps'],
  ['metadata_name_dropped', 'metadataNamesDropped'],
] as const;

const DISK = [
  ['written', 'diskEntriesWritten'],
  ['replayed', 'diskEntriesReplayed'],
  ['dropped', 'diskEntriesDropped'],
  ['corrupt', 'diskCorruptRecords'],
] as const;

type Counter = PromMetric & { inc(labels: Record<string, string>, value: number): void; inc(value: number): void };
type Gauge = PromMetric & { set(labels: Record<string, string>, value: number): void; set(value: number): void };
type Histogram = PromMetric & { observe(labels: Record<string, string>, value: number): void };

/** A plain counter or gauge: [name suffix, help, the stats field]. */
const COUNTERS: ReadonlyArray<readonly [string, string, keyof LokiClientStats]> = [
  ['pushed_entries_total', 'Records given to push() (stats().entriesPushed).', 'entriesPushed'],
  ['sent_entries_total', 'Entries Loki acknowledged (stats().entriesSent).', 'entriesSent'],
  ['sent_bytes_total', 'Request body bytes Loki acknowledged, compressed (stats().bytesSent).', 'bytesSent'],
  ['batch_retries_total', 'Retry attempts (stats().retries).', 'retries'],
  ['retried_entries_total', 'Entries re-sent by retries (stats().entriesRetried).', 'entriesRetried'],
  ['resent_entries_total', 'Entries Loki may hold twice (stats().entriesResent).', 'entriesResent'],
  ['requests_total', 'Push requests started (stats().requests).', 'requests'],
  ['failed_requests_total', 'Push requests that failed (stats().requestsFailed).', 'requestsFailed'],
  [
    'partially_rejected_requests_total',
    '400 answers (stats().requestsPartiallyRejected).',
    'requestsPartiallyRejected',
  ],
];
const GAUGES: ReadonlyArray<readonly [string, string, keyof LokiClientStats]> = [
  [
    'buffered_entries',
    'Entries held now: waiting, in flight or in backoff (stats().bufferedEntries).',
    'bufferedEntries',
  ],
  ['buffered_bytes', 'Bytes of the entries held now (stats().bufferedBytes).', 'bufferedBytes'],
];

/**
 * Registers the delivery metrics of `target` on a prom-client registry: a core client, a winston
 * `LokiTransport`, or (through the pino package's `registerLokiMetrics`) pino's transport stream.
 */
export function registerLokiMetrics(target: unknown, options: LokiMetricsOptions = {}): LokiMetricsResult {
  const prom = options.promClient ?? loadOptionalPeer<PromClientLike>('prom-client', isPromClient);
  if (prom === null || !isPromClient(prom))
    return fail('prom-client is not installed: `npm install prom-client` (an optional peer dependency of core)');
  const source = metricsSourceOf(target);
  if (source === undefined)
    return fail('registerLokiMetrics needs a Loki client or transport (an object with stats())');
  const registry = options.registry ?? prom.register;
  const prefix = options.prefix ?? DEFAULT_METRICS_PREFIX;
  const made: string[] = [];
  const snapshot = snapshots(source);
  const make = <T extends PromMetric>(kind: unknown, suffix: string, help: string, config: object): T => {
    const name = prefix + suffix;
    const metric = new (kind as Ctor)({ name, help, registers: [registry], ...config }) as T;
    made.push(name);
    return metric;
  };
  /** A collect that applies the scrape's snapshot; with no snapshot (a worker gone quiet) the last values stay. */
  const collecting = (apply: (metric: never, stats: LokiClientStats) => void) => ({
    async collect(this: PromMetric): Promise<void> {
      const stats = await snapshot();
      if (stats !== undefined) apply(this as never, stats);
    },
  });
  let unsubscribe = (): void => {};
  try {
    for (const [suffix, help, field] of COUNTERS)
      make<Counter>(
        prom.Counter,
        suffix,
        help,
        collecting((m: Counter, s) => setCounter(m, s[field] as number)),
      );
    make<Counter>(prom.Counter, 'dropped_entries_total', 'Entries dropped, by reason (stats().droppedByReason).', {
      labelNames: ['reason'],
      ...collecting((m: Counter, s) => {
        m.reset();
        for (const reason of DROP_REASONS) m.inc({ reason }, s.droppedByReason[reason]);
      }),
    });
    make<Counter>(prom.Counter, 'mutations_total', 'Entries or fields the entry rules changed, by kind.', {
      labelNames: ['kind'],
      ...collecting((m: Counter, s) => {
        m.reset();
        for (const [kind, field] of MUTATIONS) m.inc({ kind }, s[field]);
      }),
    });
    make<Counter>(prom.Counter, 'disk_entries_total', 'Disk buffer records, by event (stats().disk*).', {
      labelNames: ['event'],
      ...collecting((m: Counter, s) => {
        m.reset();
        for (const [event, field] of DISK) m.inc({ event }, s[field]);
      }),
    });
    for (const [suffix, help, field] of GAUGES)
      make<Gauge>(
        prom.Gauge,
        suffix,
        help,
        collecting((m: Gauge, s) => m.set(s[field] as number)),
      );
    make<Gauge>(prom.Gauge, 'offline', '1 while Loki is unreachable and entries wait (stats().offline).', {
      ...collecting((m: Gauge, s) => m.set(s.offline ? 1 : 0)),
    });
    make<Gauge>(prom.Gauge, 'demoted_labels', 'Label names the cardinality guard demoted, with their values then.', {
      labelNames: ['label'],
      ...collecting((m: Gauge, s) => {
        m.reset();
        for (const [label, values] of Object.entries(s.demotedLabels ?? {})) m.set({ label }, values);
      }),
    });
    make<Gauge>(prom.Gauge, 'compression_info', 'How request bodies are compressed (stats().compression).', {
      labelNames: ['compression'],
      ...collecting((m: Gauge, s) => {
        m.reset();
        m.set({ compression: s.compression }, 1);
      }),
    });
    const histogram = make<Histogram>(prom.Histogram, 'request_duration_seconds', 'Duration of push requests.', {
      labelNames: ['status_code'],
      ...(options.buckets === undefined ? {} : { buckets: [...options.buckets] }),
    });
    unsubscribe = source.observeRequests((status, seconds) => {
      histogram.observe({ status_code: status === undefined ? 'error' : String(status) }, seconds);
    });
  } catch (error) {
    for (const name of made) registry.removeSingleMetric(name);
    return fail(`registerLokiMetrics: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  return {
    ok: true,
    names: Object.freeze([...made]),
    unregister() {
      unsubscribe();
      for (const name of made.splice(0)) registry.removeSingleMetric(name);
    },
  };
}

function setCounter(metric: Counter, value: number): void {
  metric.reset();
  metric.inc(value);
}

/** One stats() per scrape: prom-client calls every collect in one synchronous loop, so they share it. */
function snapshots(source: LokiMetricsSource): () => Promise<LokiClientStats | undefined> {
  let pending: Promise<LokiClientStats | undefined> | undefined;
  return () =>
    (pending ??= Promise.resolve()
      .then(() => source.stats())
      .catch(() => undefined)
      .finally(() => {
        pending = undefined;
      }));
}

function isPromClient(found: unknown): boolean {
  const m = found as Partial<PromClientLike> | null;
  return typeof m?.Counter === 'function' && typeof m.Gauge === 'function' && typeof m.Histogram === 'function';
}

function fail(message: string, cause?: unknown): LokiMetricsResult {
  return { ok: false, error: new LokiError('ERR_LOKI_METRICS', message, cause === undefined ? {} : { cause }) };
}
