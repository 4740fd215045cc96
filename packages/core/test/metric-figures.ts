// Shared by the metrics tests of core, winston and pino: what the registry shows, against what stats() says.
import type { LokiClientStats } from '../src/index.js';

interface MetricJson {
  name: string;
  values: Array<{ value: number; labels: Record<string, string | number>; metricName?: string }>;
}

/** The registry's values as `name{label="v"}` -> value (histograms: only their `_count`). */
export function scraped(json: MetricJson[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const metric of json)
    for (const v of metric.values) {
      const name = v.metricName ?? metric.name;
      if (name.endsWith('_bucket') || name.endsWith('_sum')) continue;
      const labels = Object.entries(v.labels).map(([k, l]) => `${k}="${l}"`);
      out[labels.length === 0 ? name : `${name}{${labels.join(',')}}`] = v.value;
    }
  return out;
}

/** The same figures as stats() gives them; the histogram's count is the requests (every one had an answer). */
export function fromStats(s: LokiClientStats, prefix = 'loki_write_'): Record<string, number> {
  const out: Record<string, number> = {
    pushed_entries_total: s.entriesPushed,
    sent_entries_total: s.entriesSent,
    sent_bytes_total: s.bytesSent,
    batch_retries_total: s.retries,
    retried_entries_total: s.entriesRetried,
    resent_entries_total: s.entriesResent,
    requests_total: s.requests,
    failed_requests_total: s.requestsFailed,
    partially_rejected_requests_total: s.requestsPartiallyRejected,
    buffered_entries: s.bufferedEntries,
    buffered_bytes: s.bufferedBytes,
    offline: s.offline ? 1 : 0,
    [`compression_info{compression="${s.compression}"}`]: 1,
    'mutations_total{kind="line_truncated"}': s.linesTruncated,
    'mutations_total{kind="label_moved_to_metadata"}': s.labelsMovedToMetadata,
    'mutations_total{kind="metadata_moved_to_line"}': s.metadataMovedToLine,
    'mutations_total{kind="invalid_timestamp"}': s.invalidTimestamps,
    'mutations_total{kind="metadata_name_dropped"}': s.metadataNamesDropped,
    'disk_entries_total{event="written"}': s.diskEntriesWritten,
    'disk_entries_total{event="replayed"}': s.diskEntriesReplayed,
    'disk_entries_total{event="dropped"}': s.diskEntriesDropped,
    'disk_entries_total{event="corrupt"}': s.diskCorruptRecords,
  };
  for (const [reason, n] of Object.entries(s.droppedByReason)) out[`dropped_entries_total{reason="${reason}"}`] = n;
  for (const [label, n] of Object.entries(s.demotedLabels)) out[`demoted_labels{label="${label}"}`] = n;
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [prefix + k, v]));
}

/** The histogram's observations by status code: `{ '204': 2, '500': 1 }`. */
export function requestCounts(json: MetricJson[], prefix = 'loki_write_'): Record<string, number> {
  const out: Record<string, number> = {};
  const histogram = json.find((m) => m.name === `${prefix}request_duration_seconds`);
  for (const v of histogram?.values ?? [])
    if (v.metricName === `${prefix}request_duration_seconds_count`) out[String(v.labels.status_code)] = v.value;
  return out;
}

/** Every series name the integration registers (for the example's and the tests' "every metric is there"). */
export function withoutHistogram(all: Record<string, number>, prefix = 'loki_write_'): Record<string, number> {
  return Object.fromEntries(Object.entries(all).filter(([k]) => !k.startsWith(`${prefix}request_duration_seconds`)));
}
