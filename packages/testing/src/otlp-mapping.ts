/**
 * Loki 3.4.6's `otlpToLokiPushRequest` (pkg/loghttp/push/otlp.go): each attribute's action from the `otlp_config`
 * rules (by default: resource attributes on Loki's list become index labels, all others structured metadata); the
 * record's fields become structured metadata; `service_name` is discovered among the index labels; resources
 * with the same labels share one stream; a resource whose labels are invalid is skipped without an error.
 */
import { LabelSyntaxError, parseLokiLabels } from './label-parser.js';
import { renderJsonStreamLabels } from './label-format.js';
import type { OtlpLogRecord, OtlpResourceLogs, OtlpScopeLogs } from './otlp-model.js';
import { actionFor, type OtlpAttributeRules } from './otlp-config.js';
import { attributeToLabels, otlpValueAsString, type AttributeLabel } from './otlp-value.js';
import type { ParsedPushStream } from './push-decoder.js';
import type { RawPushEntry } from './push-model.js';
import { SERVICE_NAME_DISCOVERY_LABELS, UNKNOWN_SERVICE } from './service-name.js';

const DISCOVERY = new Set(SERVICE_NAME_DISCOVERY_LABELS);
const LEGACY_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface OtlpMappingOptions {
  discoverServiceName: boolean;
  rules: OtlpAttributeRules;
  /** Time of receipt for a record with neither timestamp, in ns (Loki's `time.Now()` per record). */
  nowNs: () => bigint;
}

type Pairs = Array<[string, string]>;

function pairs(labels: readonly AttributeLabel[]): Pairs {
  return labels.map((l) => [l.name, l.value]);
}

/** A 16- or 8-byte ID that is set: pdata's `IsEmpty` is all zero bytes. */
function isSet(id: Buffer): boolean {
  for (const b of id) if (b !== 0) return true;
  return false;
}

/** `otlpLogToPushEntry` followed by the resource and scope metadata. */
function toEntry(rec: OtlpLogRecord, tail: Pairs, options: OtlpMappingOptions): RawPushEntry {
  const metadata: Pairs = [];
  for (const kv of rec.attributes)
    if (actionFor(options.rules.log, kv.key) !== 'drop')
      for (const l of attributeToLabels(kv)) metadata.push([l.name, l.value]);
  // With no time_unix_nano the observed time is the entry's timestamp, so it is not repeated.
  if (rec.timeUnixNano !== 0n && rec.observedTimeUnixNano !== 0n)
    metadata.push(['observed_timestamp', BigInt.asIntN(64, rec.observedTimeUnixNano).toString()]);
  if (rec.severityNumber !== 0) metadata.push(['severity_number', String(rec.severityNumber)]);
  if (rec.severityText !== '') metadata.push(['severity_text', rec.severityText]);
  if (rec.droppedAttributesCount !== 0) metadata.push(['dropped_attributes_count', String(rec.droppedAttributesCount)]);
  if (rec.flags !== 0) metadata.push(['flags', String(rec.flags)]);
  if (isSet(rec.traceId)) metadata.push(['trace_id', rec.traceId.toString('hex')]);
  if (isSet(rec.spanId)) metadata.push(['span_id', rec.spanId.toString('hex')]);
  for (const p of tail) metadata.push(p);
  let timestampNs: bigint;
  // time.Unix(0, int64(ts)): a value past int64 turns negative (and then fails the age check).
  if (rec.timeUnixNano !== 0n) timestampNs = BigInt.asIntN(64, rec.timeUnixNano);
  else if (rec.observedTimeUnixNano !== 0n) timestampNs = BigInt.asIntN(64, rec.observedTimeUnixNano);
  else timestampNs = options.nowNs();
  const line = otlpValueAsString(rec.body);
  return { timestampNs, line, lineBytes: Buffer.byteLength(line, 'utf8'), metadata };
}

function scopeMetadata(sl: OtlpScopeLogs, rules: OtlpAttributeRules): Pairs {
  const out: Pairs = [];
  for (const kv of sl.scope.attributes)
    if (actionFor(rules.scope, kv.key) !== 'drop') for (const l of attributeToLabels(kv)) out.push([l.name, l.value]);
  if (sl.scope.name !== '') out.push(['scope_name', sl.scope.name]);
  if (sl.scope.version !== '') out.push(['scope_version', sl.scope.version]);
  if (sl.scope.droppedAttributesCount !== 0)
    out.push(['scope_dropped_attributes_count', String(sl.scope.droppedAttributesCount)]);
  return out;
}

/** The index labels of a resource, or undefined when Prometheus' `LabelSet.Validate` fails. */
function resourceLabels(
  resource: OtlpResourceLogs,
  options: OtlpMappingOptions,
  metadata: AttributeLabel[],
): Map<string, AttributeLabel> | undefined {
  const labels = new Map<string, AttributeLabel>();
  const first = resource.attributes.find((kv) => kv.key === 'service.name');
  let hasServiceName = first !== undefined && otlpValueAsString(first.value) !== '';
  for (const kv of resource.attributes) {
    const action = actionFor(options.rules.resource, kv.key);
    if (action === 'drop') continue;
    if (action === 'structured_metadata') {
      attributeToLabels(kv, '', metadata);
      continue;
    }
    for (const l of attributeToLabels(kv)) {
      labels.set(l.name, l);
      if (!hasServiceName && options.discoverServiceName && DISCOVERY.has(l.name)) {
        labels.set('service_name', { ...l, name: 'service_name' });
        hasServiceName = true;
      }
    }
  }
  if (!hasServiceName && options.discoverServiceName)
    labels.set('service_name', { name: 'service_name', value: UNKNOWN_SERVICE, utf8: true });
  for (const l of labels.values()) if (!LEGACY_NAME.test(l.name) || !l.utf8) return undefined;
  return labels;
}

interface Grouped {
  key: string;
  entries: RawPushEntry[];
}

/**
 * Maps the decoded request to streams. Loki's map of streams has no order; here streams keep the order in
 * which their labels first appeared. The label text is parsed as the distributor parses it: a failure
 * fails that stream (400), not the request.
 */
export function otlpToPushStreams(
  resources: readonly OtlpResourceLogs[],
  options: OtlpMappingOptions,
): ParsedPushStream[] {
  const byKey = new Map<string, Grouped>();
  for (const resource of resources) {
    const resourceMetadata: AttributeLabel[] = [];
    const labels = resourceLabels(resource, options, resourceMetadata);
    if (labels === undefined) continue;
    const key = renderJsonStreamLabels([...labels.values()].map((l) => [l.name, l.value]));
    let group = byKey.get(key);
    if (group === undefined) {
      group = { key, entries: [] };
      byKey.set(key, group);
    }
    const resourcePairs = pairs(resourceMetadata);
    for (const sl of resource.scopeLogs) {
      const tail = [...resourcePairs, ...scopeMetadata(sl, options.rules)];
      for (const rec of sl.logRecords) group.entries.push(toEntry(rec, tail, options));
    }
  }
  const streams: ParsedPushStream[] = [];
  for (const { key, entries } of byKey.values()) {
    try {
      streams.push({ labels: parseLokiLabels(key), entries, replacementCharInLabels: false });
    } catch (err) {
      const detail = err instanceof LabelSyntaxError ? err.message : String(err);
      streams.push({
        labels: [],
        entries,
        replacementCharInLabels: false,
        labelError: `Error parsing labels '${key}' with error: ${detail}`,
      });
    }
  }
  return streams;
}
